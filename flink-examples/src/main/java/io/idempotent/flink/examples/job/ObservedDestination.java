package io.idempotent.flink.examples.job;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.destination.Batch;
import io.idempotent.flink.destination.DestinationFactory;
import io.idempotent.flink.destination.ForwardingDestination;
import io.idempotent.flink.destination.SendOutcome;
import io.idempotent.flink.testutils.FaultPoints;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Wraps the example's destination: counts sends, re-sends and dropped repeats as an outside
 * observer, and injects "applied, then the call timed out" failures when told to. The example job
 * runs in one JVM, so static counters see every task.
 */
final class ObservedDestination {

    static final AtomicLong SENDS = new AtomicLong();
    static final AtomicLong RESENDS = new AtomicLong();
    static final AtomicLong REPEATS_DROPPED = new AtomicLong();

    /** Where the example injects failures: a send that applied its batch, then timed out. */
    enum Point {
        APPLIED_SEND
    }

    /** The injected timeouts: the fault kit's trigger. */
    static final FaultPoints<Point> FAULTS = new FaultPoints<>();

    /** The next {@code count} sends apply their batch, then time out. */
    static void injectTimeouts(int count) {
        if (count > 0) {
            FAULTS.armTimes(Point.APPLIED_SEND, count);
        } else {
            FAULTS.reset();
        }
    }

    private static final Set<BatchId> SEEN = ConcurrentHashMap.newKeySet();

    private ObservedDestination() {}

    static <T> DestinationFactory<T> around(DestinationFactory<T> factory) {
        return () ->
                new ForwardingDestination<>(factory.create()) {
                    @Override
                    public SendOutcome send(Batch<T> batch) throws Exception {
                        SENDS.incrementAndGet();
                        if (!SEEN.add(batch.id())) {
                            RESENDS.incrementAndGet();
                        }
                        SendOutcome outcome = super.send(batch);
                        if (outcome == SendOutcome.REPEAT_DROPPED) {
                            REPEATS_DROPPED.incrementAndGet();
                        }
                        if (FAULTS.fires(Point.APPLIED_SEND)) {
                            System.out.printf(
                                    "  ! injected failure: the destination wrote %s, then the call"
                                            + " timed out%n",
                                    batch.id());
                            throw new IOException(
                                    "injected: applied " + batch.id() + ", then timed out");
                        }
                        return outcome;
                    }
                };
    }
}
