package io.idempotent.flink.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.idempotent.flink.checkpoint.rocksdb.RocksDbCheckpointStore;
import io.idempotent.flink.destination.file.FileDestination;
import io.idempotent.flink.origin.Traced;
import io.idempotent.flink.sink.Faults.Fault;
import io.idempotent.flink.source.IdempotentSource;
import io.idempotent.flink.source.IdempotentSourceBuilder;
import io.idempotent.flink.source.StartingPosition;
import io.idempotent.flink.source.reader.SourceReaderMetrics;
import io.idempotent.flink.storage.WriteDurability;
import io.idempotent.flink.stream.PartitionRecord;
import io.idempotent.flink.testutils.ExactlyOnceVerifier;
import io.idempotent.flink.testutils.FileDestinationReader;
import io.idempotent.flink.testutils.OriginLine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connector's metrics as a metric reporter sees them: a job dies with batches pending, and a
 * fresh job from the checkpoint store replays and re-sends them; the per-partition lag, replays,
 * pending ranges, re-sends and dropped repeats, and the latency histograms tell that story.
 */
class MetricsITCase {

    private static final int PARTITIONS = 4;
    private static final int RECORDS = 300;
    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    () ->
                            new MiniClusterResourceConfiguration.Builder()
                                    .setConfiguration(
                                            REPORTER.addToConfiguration(new Configuration()))
                                    .setNumberTaskManagers(1)
                                    .setNumberSlotsPerTaskManager(2)
                                    .build());

    @TempDir Path dir;

    @Test
    void metricsShowLagReplaysResendsAndLatencies() throws Exception {
        StreamFixture stream = StreamFixture.local(dir.resolve("stream"), PARTITIONS);
        stream.append(RECORDS);
        // Slow enough that the first job dies early, leaving most records to the second.
        Slow.delayMillis = 1;
        Faults.armAfter(Fault.APPLIED_THEN_TIMEOUT, 2);
        Configuration noRestart = new Configuration();
        noRestart.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        assertThatThrownBy(
                        () ->
                                job(stream, StartingPosition.EARLIEST, noRestart)
                                        .getJobExecutionResult()
                                        .get(60, TimeUnit.SECONDS))
                .hasStackTraceContaining("injected fault");

        JobClient fresh = job(stream, StartingPosition.CHECKPOINT_STORE, new Configuration());
        long maxLag = 0;
        long maxPendingAge = 0;
        while (!fresh.getJobStatus().get().isGloballyTerminalState()) {
            maxLag = Math.max(maxLag, sum(fresh.getJobID(), "partition\\.\\d\\.lag"));
            maxPendingAge =
                    Math.max(
                            maxPendingAge,
                            sum(
                                    fresh.getJobID(),
                                    "Sink: Writer\\.\\d+\\." + DeliveryMetrics.OLDEST_PENDING_AGE));
            Thread.sleep(5);
        }
        fresh.getJobExecutionResult().get(60, TimeUnit.SECONDS);
        JobID job = fresh.getJobID();

        ExactlyOnceVerifier.Result result =
                ExactlyOnceVerifier.verify(
                        stream.sequences(), FileDestinationReader.readAll(dir.resolve("out")));
        assertThat(result.exactlyOnce()).as(result.toString()).isTrue();

        assertThat(maxLag)
                .as(
                        "lag while reading; metrics: %s",
                        REPORTER.getMetricsByIdentifiers(job).keySet())
                .isPositive();
        assertThat(sum(job, "partition\\.\\d\\." + SourceReaderMetrics.LAG)).isZero();
        long replays = sum(job, "partition\\.\\d\\." + SourceReaderMetrics.REPLAYS);
        assertThat(replays).as("pending ranges replayed by the source").isPositive();
        assertThat(sum(job, "partition\\.\\d\\." + SourceReaderMetrics.PENDING_RANGE)).isZero();
        assertThat(sum(job, "partition\\.\\d\\." + DeliveryMetrics.BATCHES_RESENT))
                .as("batches re-sent by the writers")
                .isEqualTo(replays)
                .isEqualTo(sum(job, "Sink: Writer\\.\\d+\\." + DeliveryMetrics.BATCHES_RESENT));
        assertThat(sum(job, "partition\\.\\d\\." + DeliveryMetrics.REPEATS_DROPPED))
                .as("the batch applied before the timeout came back as a repeat")
                .isPositive();
        assertThat(sum(job, "partition\\.\\d\\." + DeliveryMetrics.PENDING_RANGES)).isZero();
        assertThat(sum(job, "partition\\.\\d\\." + DeliveryMetrics.COMMITTED_SEQUENCE))
                .isEqualTo((long) PARTITIONS * (RECORDS - 1));
        assertThat(maxPendingAge)
                .as("delivered ranges wait for the next barrier's write")
                .isPositive();
        assertThat(sum(job, "Sink: Writer\\.\\d+\\." + DeliveryMetrics.OLDEST_PENDING_AGE))
                .as("nothing pending at the end of the input")
                .isZero();
        assertThat(histogramCount(job, DeliveryMetrics.COMMIT_LATENCY)).isPositive();
        assertThat(histogramCount(job, DeliveryMetrics.STORE_WRITE_LATENCY)).isPositive();
        assertThat(sum(job, "Source: events\\.\\d+\\.numRecordsIn"))
                .as("Flink's standard input counter")
                .isPositive();
    }

    private JobClient job(StreamFixture stream, StartingPosition start, Configuration conf)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.enableCheckpointing(50);
        Path store = dir.resolve("store");
        IdempotentSourceBuilder source =
                IdempotentSource.builder().stream(stream.factory())
                        .maxRecordsPerFetch(10)
                        .partitionDiscoveryInterval(Duration.ZERO)
                        .startingFrom(start)
                        .checkpointStore(
                                RocksDbCheckpointStore.factory(store, WriteDurability.SYNCED))
                        .bounded();
        env.fromSource(source.build(), WatermarkStrategy.noWatermarks(), "events")
                .map(new Slow())
                .returns(TypeInformation.of(new TypeHint<Traced<String>>() {}))
                .sinkTo(
                        IdempotentSink.<String>builder()
                                .name("metrics")
                                .destination(
                                        Faults.around(
                                                FileDestination.factory(
                                                        dir.resolve("out"),
                                                        s -> s.getBytes(StandardCharsets.UTF_8))))
                                .checkpointStore(
                                        RocksDbCheckpointStore.factory(
                                                store, WriteDurability.SYNCED))
                                .build());
        return env.executeAsync("metrics");
    }

    /** The sum of the numeric metrics of {@code job} whose identifier ends with the pattern. */
    private static long sum(JobID job, String suffix) {
        Pattern pattern = Pattern.compile(".*\\." + suffix);
        long sum = 0;
        for (Map.Entry<String, Metric> metric : REPORTER.getMetricsByIdentifiers(job).entrySet()) {
            if (!pattern.matcher(metric.getKey()).matches()) {
                continue;
            }
            if (metric.getValue() instanceof Counter counter) {
                sum += counter.getCount();
            } else if (metric.getValue() instanceof Gauge<?> gauge
                    && gauge.getValue() instanceof Number number) {
                sum += number.longValue();
            }
        }
        return sum;
    }

    private static long histogramCount(JobID job, String name) {
        return REPORTER.getMetricsByIdentifiers(job).entrySet().stream()
                .filter(e -> e.getKey().endsWith("." + name))
                .mapToLong(e -> ((Histogram) e.getValue()).getCount())
                .sum();
    }

    /** Tags each record with its origin, slowly enough for the lag to be seen. */
    static final class Slow implements MapFunction<Traced<PartitionRecord>, Traced<String>> {
        static volatile long delayMillis;

        @Override
        public Traced<String> map(Traced<PartitionRecord> traced) throws Exception {
            if (delayMillis > 0) {
                Thread.sleep(delayMillis);
            }
            return traced.map(record -> OriginLine.of(record.partition(), record.sequence(), "x"));
        }
    }
}
