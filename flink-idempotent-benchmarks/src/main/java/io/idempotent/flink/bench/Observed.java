package io.idempotent.flink.bench;

import io.idempotent.flink.checkpoint.CheckpointStoreFactory;
import io.idempotent.flink.checkpoint.CheckpointTransition;
import io.idempotent.flink.checkpoint.ForwardingCheckpointStore;
import io.idempotent.flink.destination.Batch;
import io.idempotent.flink.destination.DestinationFactory;
import io.idempotent.flink.destination.ForwardingDestination;
import io.idempotent.flink.destination.SendOutcome;
import io.idempotent.flink.origin.Traced;
import io.idempotent.flink.stream.StreamPartition;
import java.io.IOException;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;

/**
 * What the benchmark observes around the destination and the checkpoint store it gives the sink,
 * for the run in progress (one JVM, so static state sees every task): batches and records that
 * reached the destination, when they became visible there (latency from the record's timestamp),
 * and the checkpoint store's writes. The sink itself is the one a user builds, never wrapped: a
 * wrapper would hide it from the pipeline check, and its source would then look up no pending
 * ranges.
 */
final class Observed {

    static final AtomicLong BATCHES = new AtomicLong();
    static final AtomicLong RECORDS = new AtomicLong();

    /** Every durable write of the store: acquisitions, and transitions applied. */
    static final AtomicLong STORE_WRITES = new AtomicLong();

    /** Writes of partition acquisitions (once per partition and writer). */
    static final AtomicLong ACQUISITIONS = new AtomicLong();

    /**
     * Writes of commits alone: a writer's last batches' commits when its input ends or it closes,
     * and commits no delivery carried.
     */
    static final AtomicLong COMMIT_ONLY_WRITES = new AtomicLong();

    /** Partitions acquired, over all acquisition writes. */
    static final AtomicLong ACQUIRED_PARTITIONS = new AtomicLong();

    /** Rows (partitions) every store write touched, summed. */
    static final AtomicLong ROWS = new AtomicLong();

    /** When the first record of the run became visible. */
    static final AtomicLong FIRST_VISIBLE_NANOS = new AtomicLong();

    /**
     * When a restarted writer first sent a batch, applied or a repeat: a send through a destination
     * created after the injected failure (a writer creates its destination when it opens).
     */
    static final AtomicLong FIRST_SEND_AFTER_RESTART = new AtomicLong();

    /** When the last record of the run became visible (or reached the discarding sink). */
    static final AtomicLong LAST_VISIBLE_NANOS = new AtomicLong();

    static final AtomicLong STORE_WRITE_NANOS = new AtomicLong();

    /** Writes that marked batches pending: one per delivery. */
    static final AtomicLong MARKING_WRITES = new AtomicLong();

    /** A latency above this is a record held up (the eager sinks' p99 is about 0.1 s). */
    static final long SLOW_MILLIS = 500;

    /** When the last record held up longer than {@link #SLOW_MILLIS} became visible (epoch ms). */
    static final AtomicLong LAST_SLOW_VISIBLE = new AtomicLong();

    /** The highest latency seen, in milliseconds. */
    static final AtomicLong MAX_LATENCY = new AtomicLong();

    private static final Latencies LATENCIES = new Latencies();
    private static volatile boolean measureLatency;

    private Observed() {}

    static void reset(boolean latency) {
        BATCHES.set(0);
        RECORDS.set(0);
        STORE_WRITES.set(0);
        ACQUISITIONS.set(0);
        ACQUIRED_PARTITIONS.set(0);
        ROWS.set(0);
        FIRST_VISIBLE_NANOS.set(0);
        FIRST_SEND_AFTER_RESTART.set(0);
        COMMIT_ONLY_WRITES.set(0);
        LAST_VISIBLE_NANOS.set(0);
        STORE_WRITE_NANOS.set(0);
        MARKING_WRITES.set(0);
        LAST_SLOW_VISIBLE.set(0);
        MAX_LATENCY.set(0);
        LATENCIES.clear();
        measureLatency = latency;
    }

    /** Whether the latency of what becomes visible from now on is recorded (it is counted). */
    static void measureLatency(boolean measure) {
        measureLatency = measure;
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
            long latency = now - timestamp;
            LATENCIES.add(latency);
            MAX_LATENCY.accumulateAndGet(latency, Math::max);
            if (latency > SLOW_MILLIS) {
                LAST_SLOW_VISIBLE.accumulateAndGet(now, Math::max);
            }
        }
    }

    /** The destination, counting what becomes visible in it (after each send returns). */
    static DestinationFactory<String> around(DestinationFactory<String> factory) {
        return () -> {
            boolean restarted = InjectedFailure.failed();
            return new ForwardingDestination<>(factory.create()) {
                @Override
                public SendOutcome send(Batch<String> batch) throws Exception {
                    SendOutcome outcome = super.send(batch);
                    if (restarted) {
                        FIRST_SEND_AFTER_RESTART.compareAndSet(0, System.nanoTime());
                    }
                    long now = System.currentTimeMillis();
                    BATCHES.incrementAndGet();
                    if (outcome == SendOutcome.APPLIED) {
                        for (String line : batch.elements()) {
                            visible(line, now);
                        }
                        long nanos = System.nanoTime();
                        LAST_VISIBLE_NANOS.accumulateAndGet(nanos, Math::max);
                        FIRST_VISIBLE_NANOS.compareAndSet(0, nanos);
                    }
                    // After the accounting: the batch is in the destination, visible.
                    if (InjectedFailure.fireOnSend()) {
                        throw new IOException(
                                "failure injected by the benchmark: batch "
                                        + batch.id()
                                        + " was applied, then the call failed");
                    }
                    return outcome;
                }
            };
        };
    }

    /**
     * A discarding sink that counts what reaches it and notes when its input ended: the ceiling,
     * measured like the other variants, to the last record.
     */
    static Sink<Traced<String>> discarding() {
        return context ->
                new SinkWriter<>() {
                    private long records;

                    @Override
                    public void write(Traced<String> element, Context context) {
                        records++;
                    }

                    @Override
                    public void flush(boolean endOfInput) {
                        if (endOfInput) {
                            RECORDS.addAndGet(records);
                            LAST_VISIBLE_NANOS.accumulateAndGet(System.nanoTime(), Math::max);
                        }
                    }

                    @Override
                    public void close() {}
                };
    }

    /** The store, counting its durable writes by kind, and their time. */
    static CheckpointStoreFactory around(CheckpointStoreFactory factory) {
        return () ->
                new ForwardingCheckpointStore(factory.open()) {
                    @Override
                    public long acquire(StreamPartition partition) {
                        ACQUISITIONS.incrementAndGet();
                        ACQUIRED_PARTITIONS.incrementAndGet();
                        ROWS.incrementAndGet();
                        return timedWrite(() -> super.acquire(partition));
                    }

                    @Override
                    public Map<StreamPartition, Long> acquireAll(
                            Collection<StreamPartition> partitions) {
                        ACQUISITIONS.incrementAndGet();
                        ACQUIRED_PARTITIONS.addAndGet(partitions.size());
                        ROWS.addAndGet(partitions.size());
                        return timedWrite(() -> super.acquireAll(partitions));
                    }

                    @Override
                    public void apply(List<? extends CheckpointTransition> transitions) {
                        if (transitions.stream()
                                .allMatch(t -> t instanceof CheckpointTransition.Commit)) {
                            COMMIT_ONLY_WRITES.incrementAndGet();
                        }
                        ROWS.addAndGet(
                                transitions.stream()
                                        .map(CheckpointTransition::partition)
                                        .distinct()
                                        .count());
                        if (transitions.stream()
                                .anyMatch(t -> t instanceof CheckpointTransition.MarkPending)) {
                            MARKING_WRITES.incrementAndGet();
                        }
                        timedWrite(
                                () -> {
                                    super.apply(transitions);
                                    return null;
                                });
                    }
                };
    }

    private static <R> R timedWrite(Supplier<R> write) {
        STORE_WRITES.incrementAndGet();
        long started = System.nanoTime();
        try {
            return write.get();
        } finally {
            STORE_WRITE_NANOS.addAndGet(System.nanoTime() - started);
        }
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
