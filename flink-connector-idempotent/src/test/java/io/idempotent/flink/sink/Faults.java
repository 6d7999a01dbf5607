package io.idempotent.flink.sink;

import io.idempotent.flink.checkpoint.CheckpointStoreFactory;
import io.idempotent.flink.checkpoint.CheckpointTransition;
import io.idempotent.flink.checkpoint.ForwardingCheckpointStore;
import io.idempotent.flink.destination.Batch;
import io.idempotent.flink.destination.DestinationFactory;
import io.idempotent.flink.destination.ForwardingDestination;
import io.idempotent.flink.destination.SendOutcome;
import io.idempotent.flink.origin.Traced;
import io.idempotent.flink.sink.aligned.BatchCommittable;
import io.idempotent.flink.sink.aligned.CheckpointAlignedSink;
import io.idempotent.flink.testutils.FaultPoints;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.connector.sink2.SupportsPreWriteTopology;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * Faults injected into a job on a MiniCluster (one JVM, so static state reaches every task): each
 * fires once, at the chosen point, after {@link #armAfter} events of that point.
 */
final class Faults {

    /** Where a fault fires. Each is a case of the end-to-end ITCases. */
    enum Fault {
        NONE,
        /** Fault 1: user processing throws after N records. */
        PROCESSING,
        /** Fault 2: the writer fails at a barrier, before it delivers anything. */
        WRITER_SNAPSHOT,
        /**
         * Fault 3a: the batches of a barrier are marked pending in the store, then the writer fails
         * before sending any (checkpoint-aligned sink: the committer fails before sending).
         */
        BEFORE_SEND,
        /** Fault 3b: the delivery fails half way through the batches of a barrier or commit. */
        HALF_SENT,
        /** Fault 3c / 4: the destination applies a batch, then the call fails (a timeout). */
        APPLIED_THEN_TIMEOUT
    }

    /** The armed fault: the fault kit's trigger. */
    private static final FaultPoints<Fault> POINTS = new FaultPoints<>();

    /** Barriers the wrapped writers saw, and store writes that marked batches between them. */
    private static final AtomicInteger BARRIERS = new AtomicInteger();

    private static final AtomicInteger MARKING_WRITES_BETWEEN_BARRIERS = new AtomicInteger();

    /** Whether this task thread runs a wrapped writer's delivery at a barrier. */
    private static final ThreadLocal<Boolean> AT_BARRIER = ThreadLocal.withInitial(() -> false);

    private Faults() {}

    static void armAfter(Fault fault, int events) {
        BARRIERS.set(0);
        MARKING_WRITES_BETWEEN_BARRIERS.set(0);
        if (fault == Fault.NONE) {
            POINTS.reset();
        } else {
            POINTS.armAfter(fault, events);
        }
    }

    static int fired() {
        return POINTS.fired();
    }

    static int barriers() {
        return BARRIERS.get();
    }

    static int markingWritesBetweenBarriers() {
        return MARKING_WRITES_BETWEEN_BARRIERS.get();
    }

    /** Throws once if {@code point} is armed and its countdown has run out. */
    static void at(Fault point) throws IOException {
        if (POINTS.fires(point)) {
            throw new IOException("injected fault " + point);
        }
    }

    /** The sink under test, with a fault point at each barrier of its writer. */
    static <T> Sink<Traced<T>> around(IdempotentSink<T> sink) {
        return new FaultyTracedSink<>(sink);
    }

    /** Keeps the sink's pre-write hook, which tells the source which sink it feeds. */
    private static final class FaultyTracedSink<T>
            implements Sink<Traced<T>>, SupportsPreWriteTopology<Traced<T>> {
        private final IdempotentSink<T> sink;

        FaultyTracedSink(IdempotentSink<T> sink) {
            this.sink = sink;
        }

        @Override
        public DataStream<Traced<T>> addPreWriteTopology(DataStream<Traced<T>> input) {
            return sink.addPreWriteTopology(input);
        }

        @Override
        public SinkWriter<Traced<T>> createWriter(WriterInitContext context) throws IOException {
            SinkWriter<Traced<T>> writer = sink.createWriter(context);
            return new SinkWriter<>() {
                @Override
                public void write(Traced<T> element, Context context)
                        throws IOException, InterruptedException {
                    writer.write(element, context);
                }

                @Override
                public void flush(boolean endOfInput) throws IOException, InterruptedException {
                    if (!endOfInput) {
                        BARRIERS.incrementAndGet();
                        at(Fault.WRITER_SNAPSHOT);
                    }
                    AT_BARRIER.set(true);
                    try {
                        writer.flush(endOfInput);
                    } finally {
                        AT_BARRIER.set(false);
                    }
                }

                @Override
                public void close() throws Exception {
                    writer.close();
                }
            };
        }
    }

    /** The checkpoint store, with a fault point right after each write that marks batches. */
    static CheckpointStoreFactory around(CheckpointStoreFactory factory) {
        return () ->
                new ForwardingCheckpointStore(factory.open()) {
                    @Override
                    public void apply(List<? extends CheckpointTransition> transitions) {
                        super.apply(transitions);
                        if (transitions.stream()
                                .anyMatch(t -> t instanceof CheckpointTransition.MarkPending)) {
                            if (!AT_BARRIER.get()) {
                                MARKING_WRITES_BETWEEN_BARRIERS.incrementAndGet();
                            }
                            try {
                                at(Fault.BEFORE_SEND);
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        }
                    }
                };
    }

    static <T> Sink<T> around(CheckpointAlignedSink<T> sink) {
        return new FaultySink<>(sink);
    }

    private static final class FaultySink<T>
            implements Sink<T>, SupportsCommitter<BatchCommittable<T>> {
        private final CheckpointAlignedSink<T> sink;

        FaultySink(CheckpointAlignedSink<T> sink) {
            this.sink = sink;
        }

        @Override
        public CommittingSinkWriter<T, BatchCommittable<T>> createWriter(WriterInitContext context)
                throws IOException {
            CommittingSinkWriter<T, BatchCommittable<T>> writer = sink.createWriter(context);
            return new CommittingSinkWriter<>() {
                @Override
                public Collection<BatchCommittable<T>> prepareCommit()
                        throws IOException, InterruptedException {
                    at(Fault.WRITER_SNAPSHOT);
                    return writer.prepareCommit();
                }

                @Override
                public void write(T element, Context context)
                        throws IOException, InterruptedException {
                    writer.write(element, context);
                }

                @Override
                public void flush(boolean endOfInput) throws IOException, InterruptedException {
                    writer.flush(endOfInput);
                }

                @Override
                public void close() throws Exception {
                    writer.close();
                }
            };
        }

        @Override
        public Committer<BatchCommittable<T>> createCommitter(CommitterInitContext context)
                throws IOException {
            Committer<BatchCommittable<T>> committer = sink.createCommitter(context);
            return new Committer<>() {
                @Override
                public void commit(Collection<CommitRequest<BatchCommittable<T>>> requests)
                        throws IOException, InterruptedException {
                    if (!requests.isEmpty()) {
                        at(Fault.BEFORE_SEND);
                    }
                    committer.commit(requests);
                }

                @Override
                public void close() throws Exception {
                    committer.close();
                }
            };
        }

        @Override
        public SimpleVersionedSerializer<BatchCommittable<T>> getCommittableSerializer() {
            return sink.getCommittableSerializer();
        }
    }

    /** A destination with fault points before and after each send. */
    static <T> DestinationFactory<T> around(DestinationFactory<T> factory) {
        return () ->
                new ForwardingDestination<>(factory.create()) {
                    private int sendsInThisCommit;

                    @Override
                    public SendOutcome send(Batch<T> batch) throws Exception {
                        if (++sendsInThisCommit % 2 == 0) {
                            at(Fault.HALF_SENT);
                        }
                        SendOutcome outcome = super.send(batch);
                        at(Fault.APPLIED_THEN_TIMEOUT);
                        return outcome;
                    }
                };
    }
}
