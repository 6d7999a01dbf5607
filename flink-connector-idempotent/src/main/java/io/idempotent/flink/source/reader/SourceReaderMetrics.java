package io.idempotent.flink.source.reader;

import io.idempotent.flink.stream.StreamPartition;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.groups.SourceReaderMetricGroup;

/**
 * The reader's metrics, per partition in the group {@code stream.<name>.partition.<id>} of the
 * source operator: {@value #LAG} (gauge: records, or offsets for Kafka, behind the partition's end
 * when last looked, at most {@value #LAG_REFRESH_MILLIS} ms ago), {@value #PENDING_RANGE} (gauge: 1
 * while a pending range waits to be replayed) and {@value #REPLAYS} (counter: pending ranges
 * replayed). Flink's standard {@code pendingRecords} is the sum of the lags. Written by the fetcher
 * thread, read by reporters.
 */
@Internal
public final class SourceReaderMetrics {

    public static final String LAG = "lag";
    public static final String PENDING_RANGE = "pendingRange";
    public static final String REPLAYS = "replays";
    static final long LAG_REFRESH_MILLIS = 1_000;

    private final SourceReaderMetricGroup group;
    private final Map<StreamPartition, Partition> partitions = new ConcurrentHashMap<>();

    SourceReaderMetrics(SourceReaderMetricGroup group) {
        this.group = group;
        group.setPendingRecordsGauge(
                () -> partitions.values().stream().mapToLong(p -> p.lag).sum());
    }

    Partition of(StreamPartition partition) {
        return partitions.computeIfAbsent(
                partition,
                p ->
                        new Partition(
                                group.addGroup("stream", p.stream())
                                        .addGroup("partition", p.partition())));
    }

    /** One partition's metrics. */
    static final class Partition {
        private final Counter replays;
        private volatile long lag;
        private volatile int pendingRange;

        private Partition(org.apache.flink.metrics.MetricGroup group) {
            replays = group.counter(REPLAYS);
            group.gauge(LAG, () -> lag);
            group.gauge(PENDING_RANGE, () -> pendingRange);
        }

        void lag(long records) {
            lag = Math.max(0, records);
        }

        void pendingRange(boolean waiting) {
            pendingRange = waiting ? 1 : 0;
        }

        void replayed() {
            replays.inc();
            pendingRange = 0;
        }
    }
}
