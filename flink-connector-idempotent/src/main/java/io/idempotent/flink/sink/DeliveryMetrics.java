package io.idempotent.flink.sink;

import io.idempotent.flink.checkpoint.PendingCheckpoint;
import io.idempotent.flink.destination.Batch;
import io.idempotent.flink.destination.SendOutcome;
import io.idempotent.flink.protocol.DeliveryListener;
import io.idempotent.flink.stream.StreamPartition;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The metrics of delivering batches, in the metric group of the operator that delivers: the writer
 * of {@link IdempotentSink}, the committer of {@link CheckpointAlignedSink}. A "commit" here is one
 * delivery cycle (a barrier's batches). Totals: {@value #BATCHES_SENT}, {@value #BATCHES_RESENT},
 * {@value #REPEATS_DROPPED}, {@value #ALREADY_COMMITTED}, {@value #STORE_WRITES}, {@value
 * #DEAD_LETTERS} (counters), {@value #LAST_COMMIT_MILLIS} and {@value #OLDEST_PENDING_AGE}
 * (gauges), {@value #COMMIT_LATENCY} and {@value #STORE_WRITE_LATENCY} (histograms, milliseconds).
 * Per partition, in the group {@code stream.<name>.partition.<id>}: {@value #BATCHES_SENT}, {@value
 * #BATCHES_RESENT}, {@value #REPEATS_DROPPED}, {@value #ALREADY_COMMITTED} (counters), {@value
 * #PENDING_RANGES} and {@value #COMMITTED_SEQUENCE} (gauges), unless per-partition metrics are off
 * ({@code sink.metrics.per-partition}): then nothing is kept per partition. Updated in the
 * delivering task's thread.
 */
@Internal
public final class DeliveryMetrics implements DeliveryListener {

    public static final String BATCHES_SENT = "batchesSent";
    public static final String BATCHES_RESENT = "batchesResent";
    public static final String REPEATS_DROPPED = "repeatsDropped";
    public static final String ALREADY_COMMITTED = "batchesAlreadyCommitted";
    public static final String STORE_WRITES = "checkpointStoreWrites";
    public static final String LAST_COMMIT_MILLIS = "lastCommitDurationMs";
    public static final String COMMIT_LATENCY = "commitLatencyMs";
    public static final String STORE_WRITE_LATENCY = "checkpointStoreWriteLatencyMs";
    public static final String PENDING_RANGES = "pendingRanges";
    public static final String COMMITTED_SEQUENCE = "committedSequence";
    public static final String OLDEST_PENDING_AGE = "oldestPendingAgeMs";
    public static final String DEAD_LETTERS = "deadLetters";

    /** Samples the histograms keep. */
    private static final int HISTOGRAM_WINDOW = 1_000;

    private final MetricGroup group;
    private final Counter batchesSent;
    private final Counter batchesResent;
    private final Counter repeatsDropped;
    private final Counter alreadyCommitted;
    private final Counter storeWrites;
    private final Counter deadLetters;
    private final Histogram commitLatency;
    private final Histogram storeWriteLatency;
    private final Map<StreamPartition, PartitionMetrics> partitions = new HashMap<>();
    private volatile long lastCommitMillis;

    /** {@code System.nanoTime()} of the write that marked what is pending now; 0 for nothing. */
    private volatile long pendingSinceNanos;

    private final boolean perPartition;

    public DeliveryMetrics(MetricGroup group) {
        this(group, true);
    }

    public DeliveryMetrics(MetricGroup group, boolean perPartition) {
        this.group = group;
        this.perPartition = perPartition;
        this.batchesSent = group.counter(BATCHES_SENT);
        this.batchesResent = group.counter(BATCHES_RESENT);
        this.repeatsDropped = group.counter(REPEATS_DROPPED);
        this.alreadyCommitted = group.counter(ALREADY_COMMITTED);
        this.storeWrites = group.counter(STORE_WRITES);
        this.deadLetters = group.counter(DEAD_LETTERS);
        this.commitLatency =
                group.histogram(
                        COMMIT_LATENCY, new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        this.storeWriteLatency =
                group.histogram(
                        STORE_WRITE_LATENCY, new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        group.gauge(LAST_COMMIT_MILLIS, () -> lastCommitMillis);
        group.gauge(
                OLDEST_PENDING_AGE,
                () -> {
                    long since = pendingSinceNanos;
                    return since == 0
                            ? 0L
                            : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
                });
    }

    /** Elements the destination could not encode, sent to the dead-letter destination. */
    public Counter deadLetters() {
        return deadLetters;
    }

    /**
     * The ranges this operator marked pending and has not committed yet were marked at {@code
     * nanoTime} ({@code System.nanoTime()}); 0 when it has none. A destination must remember
     * identities at least as long as this age can grow.
     */
    public void pendingSince(long nanoTime) {
        pendingSinceNanos = nanoTime;
    }

    /** One delivery cycle (a barrier's batches, or a commit) took {@code nanos}. */
    public void cycleTook(long nanos) {
        lastCommitMillis = TimeUnit.NANOSECONDS.toMillis(nanos);
        commitLatency.update(lastCommitMillis);
    }

    @Override
    public void markedPending(StreamPartition partition, PendingCheckpoint pending) {
        if (perPartition) {
            of(partition).pendingRanges = 1;
        }
    }

    @Override
    public void sent(Batch<?> batch, SendOutcome outcome, boolean resent) {
        batchesSent.inc();
        if (resent) {
            batchesResent.inc();
        }
        if (outcome == SendOutcome.REPEAT_DROPPED) {
            repeatsDropped.inc();
        }
        if (!perPartition) {
            return;
        }
        PartitionMetrics metrics = of(batch.partition());
        metrics.batchesSent.inc();
        if (resent) {
            metrics.batchesResent.inc();
        }
        if (outcome == SendOutcome.REPEAT_DROPPED) {
            metrics.repeatsDropped.inc();
        }
    }

    @Override
    public void alreadyCommitted(Batch<?> batch) {
        alreadyCommitted.inc();
        if (perPartition) {
            of(batch.partition()).alreadyCommitted.inc();
        }
    }

    @Override
    public void committed(StreamPartition partition, long sequence) {
        if (!perPartition) {
            return;
        }
        PartitionMetrics metrics = of(partition);
        metrics.pendingRanges = 0;
        metrics.committedSequence = sequence;
    }

    @Override
    public void storeWritten(long nanos) {
        storeWrites.inc();
        storeWriteLatency.update(TimeUnit.NANOSECONDS.toMillis(nanos));
    }

    private PartitionMetrics of(StreamPartition partition) {
        return partitions.computeIfAbsent(
                partition,
                p ->
                        new PartitionMetrics(
                                group.addGroup("stream", p.stream())
                                        .addGroup("partition", p.partition())));
    }

    /** One partition's metrics; counters written by the task thread, gauges read by reporters. */
    private static final class PartitionMetrics {
        final Counter batchesSent;
        final Counter batchesResent;
        final Counter repeatsDropped;
        final Counter alreadyCommitted;
        volatile int pendingRanges;
        volatile long committedSequence = -1;

        PartitionMetrics(MetricGroup group) {
            batchesSent = group.counter(BATCHES_SENT);
            batchesResent = group.counter(BATCHES_RESENT);
            repeatsDropped = group.counter(REPEATS_DROPPED);
            alreadyCommitted = group.counter(ALREADY_COMMITTED);
            group.gauge(PENDING_RANGES, () -> pendingRanges);
            group.gauge(COMMITTED_SEQUENCE, () -> committedSequence);
        }
    }
}
