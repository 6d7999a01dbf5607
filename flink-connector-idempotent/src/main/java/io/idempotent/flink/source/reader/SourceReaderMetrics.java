package io.idempotent.flink.source.reader;

import io.idempotent.flink.stream.StreamPartition;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.SourceReaderMetricGroup;

/**
 * The reader's metrics, per partition in the group {@code stream.<name>.partition.<id>} of the
 * source operator: {@value #LAG} (gauge: records, or offsets for Kafka, behind the partition's end
 * when last looked; a reader looks the ends of up to {@value #LAG_LOOKUPS_PER_REFRESH} partitions
 * up every {@value #LAG_REFRESH_MILLIS} ms, those of more in turns), {@value #PENDING_RANGE}
 * (gauge: 1 while a pending range waits to be replayed) and {@value #REPLAYS} (counter: pending
 * ranges replayed). Flink's standard {@code pendingRecords} is the sum of the lags. Written by the
 * fetcher thread, read by reporters. Without per-partition metrics ({@code
 * scan.metrics.per-partition} off) the partitions' lags are kept for {@code pendingRecords} and
 * nothing per partition is registered.
 */
@Internal
public final class SourceReaderMetrics {

    public static final String LAG = "lag";
    public static final String PENDING_RANGE = "pendingRange";
    public static final String REPLAYS = "replays";
    static final long LAG_REFRESH_MILLIS = 1_000;

    /**
     * The most partitions whose ends one lag refresh looks up: a reader of more looks them up in
     * turns, so that the lookups cost the same however many partitions it reads (on the local
     * stream an end is a RocksDB seek: at 5,000 partitions a reader, looking them all up every
     * second took a fifth of the fetcher's time).
     */
    static final int LAG_LOOKUPS_PER_REFRESH = 1_000;

    private final SourceReaderMetricGroup group;
    private final Map<StreamPartition, Partition> partitions = new ConcurrentHashMap<>();

    private final boolean perPartition;

    SourceReaderMetrics(SourceReaderMetricGroup group, boolean perPartition) {
        this.group = group;
        this.perPartition = perPartition;
        group.setPendingRecordsGauge(
                () -> partitions.values().stream().mapToLong(p -> p.lag).sum());
    }

    Partition of(StreamPartition partition) {
        return partitions.computeIfAbsent(
                partition,
                p ->
                        new Partition(
                                perPartition
                                        ? group.addGroup("stream", p.stream())
                                                .addGroup("partition", p.partition())
                                        : null));
    }

    /** One partition's metrics. */
    static final class Partition {
        private final Counter replays;
        private volatile long lag;
        private volatile int pendingRange;

        /** Registers the partition's metrics in {@code group}; none if it is {@code null}. */
        private Partition(@Nullable org.apache.flink.metrics.MetricGroup group) {
            if (group == null) {
                replays = new SimpleCounter();
                return;
            }
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
