package io.idempotent.flink.campaign;

import io.idempotent.flink.checkpoint.CheckpointStoreException;
import io.idempotent.flink.checkpoint.CheckpointStoreFactory;
import io.idempotent.flink.checkpoint.CheckpointTransition;
import io.idempotent.flink.checkpoint.ForwardingCheckpointStore;
import io.idempotent.flink.destination.Batch;
import io.idempotent.flink.destination.DestinationFactory;
import io.idempotent.flink.destination.ForwardingDestination;
import io.idempotent.flink.destination.SendOutcome;
import io.idempotent.flink.origin.Traced;
import io.idempotent.flink.stream.PartitionRecord;
import io.idempotent.flink.testutils.IdempotentHttpServer;
import io.idempotent.flink.testutils.OriginLine;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.annotation.Nullable;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;

/**
 * Where the campaign's faults strike: the user's processing (a record, a barrier), the destination
 * (around each send) and the checkpoint store (around each write). Each asks {@link FaultSchedule}
 * at each event and does what the fault it is given says.
 */
final class Injected {

    /** Records the processing saw, re-reads included. */
    static final AtomicLong PROCESSED = new AtomicLong();

    /** Sends the destination saw, re-sends included, and those it dropped as repeats. */
    static final AtomicLong SENDS = new AtomicLong();

    static final AtomicLong REPEATS = new AtomicLong();

    /** The HTTP server of the cell, if its destination is HTTP. */
    @Nullable static volatile IdempotentHttpServer http;

    /** How long the HTTP server holds an applied batch's answer: past the request timeout. */
    static final long HTTP_STALL_MILLIS = 1_500;

    private Injected() {}

    static void reset() {
        PROCESSED.set(0);
        SENDS.set(0);
        REPEATS.set(0);
    }

    private static IOException injected(FaultKind fault) {
        return new IOException("injected fault " + fault + ": " + fault.description);
    }

    /**
     * The user's processing: each record becomes the line {@code "<partition>:<sequence>
     * <payload>"} (deterministic, as the guarantee needs); faults at a record and at a barrier.
     */
    static final class Processing
            implements MapFunction<Traced<PartitionRecord>, Traced<String>>, CheckpointedFunction {

        @Override
        public Traced<String> map(Traced<PartitionRecord> traced) throws Exception {
            PROCESSED.incrementAndGet();
            FaultKind fault = FaultSchedule.at(FaultKind.Point.RECORD);
            if (fault != null) {
                throw injected(fault);
            }
            return traced.map(
                    record ->
                            OriginLine.of(record.partition(), record.sequence(), record.payload()));
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) throws Exception {
            FaultKind fault = FaultSchedule.at(FaultKind.Point.BARRIER);
            if (fault != null) {
                throw injected(fault);
            }
        }

        @Override
        public void initializeState(FunctionInitializationContext context) {}
    }

    /** The destination, with faults around each send. */
    static <T> DestinationFactory<T> around(DestinationFactory<T> factory) {
        return () ->
                new ForwardingDestination<>(factory.create()) {
                    @Override
                    public SendOutcome send(Batch<T> batch) throws Exception {
                        SENDS.incrementAndGet();
                        FaultKind fault = FaultSchedule.at(FaultKind.Point.SEND);
                        if (fault == FaultKind.BEFORE_SEND) {
                            throw injected(fault);
                        } else if (fault == FaultKind.SLOW_SEND) {
                            Thread.sleep(300);
                        } else if (fault == FaultKind.HTTP_5XX) {
                            http.failNext(2, 0);
                        } else if (fault == FaultKind.HTTP_TIMEOUT) {
                            http.stallAfterApplying(1, HTTP_STALL_MILLIS);
                        }
                        SendOutcome outcome = super.send(batch);
                        if (outcome == SendOutcome.REPEAT_DROPPED) {
                            REPEATS.incrementAndGet();
                        }
                        if (fault == FaultKind.AFTER_SEND) {
                            throw injected(fault);
                        }
                        return outcome;
                    }
                };
    }

    /** The checkpoint store, with faults around each write. */
    static CheckpointStoreFactory around(CheckpointStoreFactory factory) {
        return () ->
                new ForwardingCheckpointStore(factory.open()) {
                    @Override
                    public void apply(List<? extends CheckpointTransition> transitions) {
                        FaultKind fault = FaultSchedule.at(FaultKind.Point.STORE);
                        if (fault == FaultKind.STORE_WRITE_FAILS) {
                            throw new CheckpointStoreException(injected(fault).getMessage());
                        }
                        super.apply(transitions);
                        if (fault == FaultKind.STORE_ANSWER_LOST) {
                            throw new CheckpointStoreException(injected(fault).getMessage());
                        }
                    }
                };
    }
}
