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
import io.idempotent.flink.sink.IdempotentSink;
import io.idempotent.flink.source.Traced;
import io.idempotent.flink.stream.StreamPartition;
import java.io.IOException;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;

/**
 * What the benchmark observes from outside the sinks, for the run in progress (one JVM, so static
 * state sees every task): batches and records that reached the destination, when they became
 * visible there (latency from the record's timestamp), and the checkpoint store's writes.
 */
final class Observed {

    static final AtomicLong BATCHES = new AtomicLong();
    static final AtomicLong RECORDS = new AtomicLong();

    /** Every durable write of the store: acquisitions, and transitions applied. */
    static final AtomicLong STORE_WRITES = new AtomicLong();

    /** Writes of partition acquisitions (once per partition and writer). */
    static final AtomicLong ACQUISITIONS = new AtomicLong();

    /** Writes made while a writer delivers at the end of its input (the final commits). */
    static final AtomicLong END_OF_INPUT_WRITES = new AtomicLong();

    /** Barriers at which a writer had elements to deliver, counted by the writer's wrapper. */
    static final AtomicLong BATCH_CYCLES = new AtomicLong();

    static final AtomicLong STORE_WRITE_NANOS = new AtomicLong();
    private static final ThreadLocal<Boolean> AT_END_OF_INPUT =
            ThreadLocal.withInitial(() -> false);
    private static final Latencies LATENCIES = new Latencies();
    private static volatile boolean measureLatency;

    private Observed() {}

    static void reset(boolean latency) {
        BATCHES.set(0);
        RECORDS.set(0);
        STORE_WRITES.set(0);
        ACQUISITIONS.set(0);
        END_OF_INPUT_WRITES.set(0);
        BATCH_CYCLES.set(0);
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
     * The sink, counting its batch cycles: the barriers at which a writer has elements to deliver
     * (the store cannot tell them itself), and telling the store wrapper when a writer delivers at
     * the end of its input.
     */
    static <T> Sink<Traced<T>> around(IdempotentSink<T> sink) {
        return context -> {
            SinkWriter<Traced<T>> writer = sink.createWriter(context);
            return new SinkWriter<>() {
                private boolean written;

                @Override
                public void write(Traced<T> element, Context context)
                        throws IOException, InterruptedException {
                    written = true;
                    writer.write(element, context);
                }

                @Override
                public void flush(boolean endOfInput) throws IOException, InterruptedException {
                    if (written && !endOfInput) {
                        BATCH_CYCLES.incrementAndGet();
                    }
                    written = false;
                    AT_END_OF_INPUT.set(endOfInput);
                    try {
                        writer.flush(endOfInput);
                    } finally {
                        AT_END_OF_INPUT.set(false);
                    }
                }

                @Override
                public void close() throws Exception {
                    writer.close();
                }
            };
        };
    }

    /** The store, counting its durable writes by kind, and their time. */
    static CheckpointStoreFactory around(CheckpointStoreFactory factory) {
        return () -> {
            PartitionCheckpointStore store = factory.open();
            return new PartitionCheckpointStore() {
                @Override
                public long acquire(StreamPartition partition) {
                    STORE_WRITES.incrementAndGet();
                    ACQUISITIONS.incrementAndGet();
                    long started = System.nanoTime();
                    try {
                        return store.acquire(partition);
                    } finally {
                        STORE_WRITE_NANOS.addAndGet(System.nanoTime() - started);
                    }
                }

                @Override
                public Map<StreamPartition, Long> acquireAll(
                        Collection<StreamPartition> partitions) {
                    STORE_WRITES.incrementAndGet();
                    ACQUISITIONS.incrementAndGet();
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
                    if (AT_END_OF_INPUT.get()) {
                        END_OF_INPUT_WRITES.incrementAndGet();
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
