package io.idempotent.flink.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.idempotent.flink.checkpoint.rocksdb.RocksDbCheckpointStore;
import io.idempotent.flink.destination.file.FileDestination;
import io.idempotent.flink.origin.Traced;
import io.idempotent.flink.sink.Faults.Fault;
import io.idempotent.flink.source.IdempotentSource;
import io.idempotent.flink.storage.WriteDurability;
import io.idempotent.flink.testutils.ClassHistogram;
import io.idempotent.flink.testutils.ExactlyOnceVerifier;
import io.idempotent.flink.testutils.FileDestinationReader;
import io.idempotent.flink.testutils.OriginLine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TaskManager's heap does not grow per failover: the per-partition objects of the source readers
 * and sink writers (a few hundred bytes a partition, see benchmarks.md, Scale) belong to their
 * tasks, and once a task is gone — restarted after a failure, cancelled — nothing keeps them.
 * Counted the way a heap dump would: instances reachable after a full GC (the JVM's class
 * histogram), against the count before the job. Proves design.md row F35.
 */
class TaskReleaseITCase {

    private static final int PARTITIONS = 500;
    private static final int RECORDS = 20;

    /** Classes with one instance per partition a task reads or writes. */
    private static final List<String> PER_PARTITION =
            List.of(
                    "io.idempotent.flink.sink.writer.PartitionFeed",
                    "io.idempotent.flink.protocol.BatchDelivery$Owned",
                    "io.idempotent.flink.sink.DeliveryMetrics$PartitionMetrics",
                    "io.idempotent.flink.source.reader.PartitionSplitReader$Position",
                    "io.idempotent.flink.source.reader.SourceReaderMetrics$Partition");

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    () ->
                            new MiniClusterResourceConfiguration.Builder()
                                    .setNumberTaskManagers(1)
                                    .setNumberSlotsPerTaskManager(2)
                                    .build());

    @TempDir Path dir;

    @Test
    void restartedAndCancelledTasksLeaveNothingPerPartition() throws Exception {
        Map<String, Long> before = reachable();
        StreamFixture stream = StreamFixture.local(dir.resolve("stream"), PARTITIONS);
        stream.append(RECORDS);
        // One failure half way through the first deliveries: the tasks restart in the same
        // TaskManager and take every partition again.
        Faults.armAfter(Fault.APPLIED_THEN_TIMEOUT, PARTITIONS / 2);
        JobClient job = job(stream);

        awaitDelivered(PARTITIONS * RECORDS);
        assertThat(Faults.fired()).as("the injected failure").isEqualTo(1);
        // Every partition again, so that the restarted writers hold every partition.
        stream.append(RECORDS);
        List<?> delivered = awaitDelivered(2 * PARTITIONS * RECORDS);
        ExactlyOnceVerifier.Result result =
                ExactlyOnceVerifier.verify(
                        stream.sequences(), FileDestinationReader.readAll(dir.resolve("out")));
        assertThat(result.exactlyOnce()).as(result.toString()).isTrue();
        assertThat(delivered).hasSize(2 * PARTITIONS * RECORDS);
        // The restarted tasks hold one of each a partition; the failed ones nothing. Counted
        // against the count before the job: an earlier test's tasks may still be going.
        Map<String, Long> live =
                await(
                        counts ->
                                grown(counts, before).values().stream()
                                        .allMatch(n -> n <= PARTITIONS));
        assertThat(grown(live, before))
                .as("per-partition objects while the restarted job runs")
                .allSatisfy((type, n) -> assertThat(n).as(type).isLessThanOrEqualTo(PARTITIONS));
        assertThat(live.get(PER_PARTITION.get(0)))
                .as("the running writers' feeds, seen by the count")
                .isGreaterThanOrEqualTo(PARTITIONS);

        job.cancel().get();
        Map<String, Long> after =
                await(counts -> grown(counts, before).values().stream().allMatch(n -> n <= 0));
        assertThat(grown(after, before))
                .as("per-partition objects after the job was cancelled")
                .allSatisfy((type, n) -> assertThat(n).as(type).isLessThanOrEqualTo(0L));
    }

    private JobClient job(StreamFixture stream) throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.enableCheckpointing(100);
        Path store = dir.resolve("store");
        env.fromSource(
                        IdempotentSource.builder().stream(stream.factory())
                                .partitionDiscoveryInterval(Duration.ZERO)
                                .checkpointStore(
                                        RocksDbCheckpointStore.factory(
                                                store, WriteDurability.SYNCED))
                                .build(),
                        WatermarkStrategy.noWatermarks(),
                        "events")
                .map(t -> t.map(r -> OriginLine.of(r.partition(), r.sequence(), "x")))
                .returns(TypeInformation.of(new TypeHint<Traced<String>>() {}))
                .sinkTo(
                        IdempotentSink.<String>builder()
                                .name("release")
                                .destination(
                                        Faults.around(
                                                FileDestination.factory(
                                                        dir.resolve("out"),
                                                        s -> s.getBytes(StandardCharsets.UTF_8))))
                                .checkpointStore(
                                        RocksDbCheckpointStore.factory(
                                                store, WriteDurability.SYNCED))
                                .build());
        return env.executeAsync("task-release");
    }

    private List<?> awaitDelivered(int records) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        List<?> delivered = FileDestinationReader.readAll(dir.resolve("out"));
        while (delivered.size() < records && System.nanoTime() < deadline) {
            Thread.sleep(200);
            delivered = FileDestinationReader.readAll(dir.resolve("out"));
        }
        return delivered;
    }

    /** The first counts (within 30 s) that {@code done} accepts, else the last ones. */
    private static Map<String, Long> await(Predicate<Map<String, Long>> done)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Map<String, Long> counts = reachable();
        while (!done.test(counts) && System.nanoTime() < deadline) {
            Thread.sleep(500);
            counts = reachable();
        }
        return counts;
    }

    private static Map<String, Long> grown(Map<String, Long> now, Map<String, Long> before) {
        Map<String, Long> grown = new LinkedHashMap<>();
        now.forEach((type, n) -> grown.put(type, n - before.get(type)));
        return grown;
    }

    /** Instances of each per-partition class reachable after a full GC. */
    private static Map<String, Long> reachable() {
        Map<String, Long> counts = new LinkedHashMap<>();
        PER_PARTITION.forEach(type -> counts.put(type, 0L));
        for (ClassHistogram.Entry entry : ClassHistogram.live()) {
            counts.computeIfPresent(entry.className(), (type, n) -> entry.instances());
        }
        return counts;
    }
}
