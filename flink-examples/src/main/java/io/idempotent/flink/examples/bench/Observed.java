package io.idempotent.flink.examples.bench;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.checkpoint.CheckpointStoreFactory;
import io.idempotent.flink.checkpoint.CheckpointTransition;
import io.idempotent.flink.checkpoint.PartitionCheckpoint;
import io.idempotent.flink.checkpoint.PartitionCheckpointStore;
import io.idempotent.flink.destination.Batch;
import io.idempotent.flink.destination.DestinationFactory;
import io.idempotent.flink.destination.IdempotentDestination;
import io.idempotent.flink.destination.SendOutcome;
import io.idempotent.flink.stream.StreamPartition;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the benchmark observes from outside the sinks, for the run in progress (one JVM, so static
 * state sees every task): batches and records that reached the destination, when they became
 * visible there (latency from the record's timestamp), and the checkpoint store's writes.
 */
final class Observed {

    static final AtomicLong BATCHES = new AtomicLong();
    static final AtomicLong RECORDS = new AtomicLong();
    static final AtomicLong STORE_WRITES = new AtomicLong();
    static final AtomicLong COMMIT_CYCLES = new AtomicLong();
    static final AtomicLong STORE_WRITE_NANOS = new AtomicLong();
    private static final Latencies LATENCIES = new Latencies();
    private static volatile boolean measureLatency;

    private Observed() {}

    static void reset(boolean latency) {
        BATCHES.set(0);
        RECORDS.set(0);
        STORE_WRITES.set(0);
        COMMIT_CYCLES.set(0);
        STORE_WRITE_NANOS.set(0);
        LATENCIES.clear();
        measureLatency = latency;
    }

    static long[] latencies() {
        return LATENCIES.sorted();
    }

    /** Records a line ({@code "<partition>:<sequence> <timestamp> <payload>"}) seen now. */
    static void visible(String line, long now) {
        RECORDS.incrementAndGet();
        if (measureLatency) {
            int start = line.indexOf(' ') + 1;
            long timestamp = Long.parseLong(line, start, line.indexOf(' ', start), 10);
            LATENCIES.add(now - timestamp);
        }
    }

    /** The destination, counting what becomes visible in it (after each send returns). */
    static DestinationFactory<String> around(DestinationFactory<String> factory) {
        return () -> {
            IdempotentDestination<String> destination = factory.create();
            return new IdempotentDestination<>() {
                @Override
                public String plannedLocation(BatchId id) {
                    return destination.plannedLocation(id);
                }

                @Override
                public SendOutcome send(Batch<String> batch) throws Exception {
                    SendOutcome outcome = destination.send(batch);
                    long now = System.currentTimeMillis();
                    BATCHES.incrementAndGet();
                    if (outcome == SendOutcome.APPLIED) {
                        for (String line : batch.elements()) {
                            visible(line, now);
                        }
                    }
                    return outcome;
                }

                @Override
                public void close() throws Exception {
                    destination.close();
                }
            };
        };
    }

    /**
     * The store, counting its durable writes. Each delivery ends with a write of commits alone, so
     * those writes count batch cycles (one committer's commit of one checkpoint).
     */
    static CheckpointStoreFactory around(CheckpointStoreFactory factory) {
        return () -> {
            PartitionCheckpointStore store = factory.open();
            return new PartitionCheckpointStore() {
                @Override
                public long acquire(StreamPartition partition) {
                    STORE_WRITES.incrementAndGet();
                    return store.acquire(partition);
                }

                @Override
                public Map<StreamPartition, Long> acquireAll(
                        Collection<StreamPartition> partitions) {
                    STORE_WRITES.incrementAndGet();
                    long started = System.nanoTime();
                    try {
                        return store.acquireAll(partitions);
                    } finally {
                        STORE_WRITE_NANOS.addAndGet(System.nanoTime() - started);
                    }
                }

                @Override
                public PartitionCheckpoint load(StreamPartition partition) {
                    return store.load(partition);
                }

                @Override
                public void apply(List<? extends CheckpointTransition> transitions) {
                    STORE_WRITES.incrementAndGet();
                    if (transitions.stream()
                            .allMatch(t -> t instanceof CheckpointTransition.Commit)) {
                        COMMIT_CYCLES.incrementAndGet();
                    }
                    long started = System.nanoTime();
                    store.apply(transitions);
                    STORE_WRITE_NANOS.addAndGet(System.nanoTime() - started);
                }

                @Override
                public void close() {
                    store.close();
                }
            };
        };
    }

    /** A growing array of latency samples, in milliseconds. */
    private static final class Latencies {
        private long[] samples = new long[1 << 16];
        private int size;

        synchronized void add(long millis) {
            if (size == samples.length) {
                samples = Arrays.copyOf(samples, size * 2);
            }
            samples[size++] = millis;
        }

        synchronized void clear() {
            size = 0;
        }

        synchronized long[] sorted() {
            long[] copy = Arrays.copyOf(samples, size);
            Arrays.sort(copy);
            return copy;
        }
    }
}
