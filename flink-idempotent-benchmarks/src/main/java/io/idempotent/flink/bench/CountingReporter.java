package io.idempotent.flink.bench;

import io.idempotent.flink.sink.DeliveryMetrics;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * Counts the metric series a job registers, as a reporter sees them: all of them, and those in a
 * per-partition group ({@code partition} among the group's variables); and reads the sink's own
 * count of re-sent pending batches ({@link DeliveryMetrics#BATCHES_RESENT}), so that a recovery
 * figure is known to include a replay. The benchmark's jobs run one at a time in its JVM, so static
 * counters see every task's metrics.
 */
public final class CountingReporter implements MetricReporter {

    private static final AtomicLong CURRENT = new AtomicLong();
    private static final AtomicLong PEAK = new AtomicLong();
    private static final AtomicLong CURRENT_PER_PARTITION = new AtomicLong();
    private static final AtomicLong PEAK_PER_PARTITION = new AtomicLong();

    /**
     * The sink writers' counters of re-sent batches, live ones and the final counts of the rest.
     */
    private static final Set<Counter> RESENT = ConcurrentHashMap.newKeySet();

    private static final AtomicLong RESENT_RETIRED = new AtomicLong();

    static void configure(Configuration conf) {
        conf.setString("metrics.reporter.count.factory.class", Factory.class.getName());
    }

    static void reset() {
        CURRENT.set(0);
        PEAK.set(0);
        CURRENT_PER_PARTITION.set(0);
        PEAK_PER_PARTITION.set(0);
    }

    /** Starts counting re-sent batches from zero. */
    static void resetResent() {
        RESENT.clear();
        RESENT_RETIRED.set(0);
    }

    /** Pending batches the sink's writers re-sent since {@link #resetResent()}. */
    static long resentBatches() {
        return RESENT_RETIRED.get() + RESENT.stream().mapToLong(Counter::getCount).sum();
    }

    static long peak() {
        return PEAK.get();
    }

    static long peakPerPartition() {
        return PEAK_PER_PARTITION.get();
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
        if (DeliveryMetrics.BATCHES_RESENT.equals(name)
                && metric instanceof Counter
                && !perPartition(group)) {
            RESENT.add((Counter) metric);
        }
        PEAK.accumulateAndGet(CURRENT.incrementAndGet(), Math::max);
        if (perPartition(group)) {
            PEAK_PER_PARTITION.accumulateAndGet(CURRENT_PER_PARTITION.incrementAndGet(), Math::max);
        }
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
        if (metric instanceof Counter && RESENT.remove(metric)) {
            RESENT_RETIRED.addAndGet(((Counter) metric).getCount());
        }
        CURRENT.decrementAndGet();
        if (perPartition(group)) {
            CURRENT_PER_PARTITION.decrementAndGet();
        }
    }

    private static boolean perPartition(MetricGroup group) {
        return group.getAllVariables().containsKey("<partition>");
    }

    /** Creates the reporter; named in the job's configuration. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new CountingReporter();
        }
    }
}
