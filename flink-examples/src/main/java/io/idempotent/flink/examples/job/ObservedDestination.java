package io.idempotent.flink.examples.job;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.destination.Batch;
import io.idempotent.flink.destination.DestinationFactory;
import io.idempotent.flink.destination.ForwardingDestination;
import io.idempotent.flink.destination.SendOutcome;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
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
    static final AtomicInteger TIMEOUTS_TO_INJECT = new AtomicInteger();
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
                        if (TIMEOUTS_TO_INJECT.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
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
