package io.idempotent.flink.sink.committer;

import io.idempotent.flink.protocol.DeliveryReport;
import java.util.concurrent.TimeUnit;
import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * The committer's metrics, in its operator metric group: {@value #BATCHES_SENT}, {@value
 * #BATCHES_RESENT}, {@value #REPEATS_DROPPED}, {@value #ALREADY_COMMITTED}, {@value #STORE_WRITES}
 * (counters) and {@value #LAST_COMMIT_MILLIS} (gauge).
 */
@Internal
public final class CommitterMetrics {

    public static final String BATCHES_SENT = "batchesSent";
    public static final String BATCHES_RESENT = "batchesResent";
    public static final String REPEATS_DROPPED = "repeatsDropped";
    public static final String ALREADY_COMMITTED = "batchesAlreadyCommitted";
    public static final String STORE_WRITES = "checkpointStoreWrites";
    public static final String LAST_COMMIT_MILLIS = "lastCommitDurationMs";

    private final Counter batchesSent;
    private final Counter batchesResent;
    private final Counter repeatsDropped;
    private final Counter alreadyCommitted;
    private final Counter storeWrites;
    private volatile long lastCommitMillis;

    public CommitterMetrics(MetricGroup group) {
        this.batchesSent = group.counter(BATCHES_SENT);
        this.batchesResent = group.counter(BATCHES_RESENT);
        this.repeatsDropped = group.counter(REPEATS_DROPPED);
        this.alreadyCommitted = group.counter(ALREADY_COMMITTED);
        this.storeWrites = group.counter(STORE_WRITES);
        group.gauge(LAST_COMMIT_MILLIS, () -> lastCommitMillis);
    }

    void record(DeliveryReport report, long nanos) {
        batchesSent.inc(report.batchesSent());
        batchesResent.inc(report.replayed());
        repeatsDropped.inc(report.repeatsDropped());
        alreadyCommitted.inc(report.alreadyCommitted());
        // One more write: acquiring the partitions.
        storeWrites.inc(report.storeWrites() + 1);
        lastCommitMillis = TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
