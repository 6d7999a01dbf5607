package io.idempotent.flink.bench;

import io.idempotent.flink.bench.Variant.Source;
import io.idempotent.flink.bench.Variant.Target;
import io.idempotent.flink.bench.micro.MicroBenchmarks;
import io.idempotent.flink.checkpoint.rocksdb.RocksDbCheckpointStore;
import io.idempotent.flink.destination.DestinationFactory;
import io.idempotent.flink.destination.file.FileDestination;
import io.idempotent.flink.destination.http.HttpDestination;
import io.idempotent.flink.destination.jdbc.JdbcDestination;
import io.idempotent.flink.origin.Traced;
import io.idempotent.flink.sink.DeliveryMode;
import io.idempotent.flink.sink.IdempotentSink;
import io.idempotent.flink.sink.IdempotentSinkOptions;
import io.idempotent.flink.source.IdempotentSource;
import io.idempotent.flink.source.IdempotentSourceBuilder;
import io.idempotent.flink.storage.WriteDurability;
import io.idempotent.flink.stream.kafka.KafkaPartitionedStream;
import io.idempotent.flink.stream.local.LocalStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.annotation.Nullable;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.FileUtils;

/**
 * Runs the same job (a partitioned stream → a light map → a sink) over the same data with different
 * sinks, in one JVM, one after another, and reports what each costs, measured in the same run:
 * throughput over a filled stream, then end-to-end latency under a live producer at a fixed rate,
 * and the ratios of issue 5.
 */
public final class PipelineBenchmark {

    /** What to run. */
    public record Settings(
            Path dir,
            int partitions,
            int recordsPerPartition,
            int payloadBytes,
            int parallelism,
            Duration checkpointInterval,
            int repetitions,
            int latencyRate,
            Duration latencyDuration,
            Path plot,
            String only) {}

    private static final String INPUT_TOPIC = "bench-in";

    private static final List<Duration> LATENCY_INTERVALS =
            List.of(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(60));

    /** Recovery runs: checkpoints this far apart, the failure this long after one completed. */
    private static final Duration RECOVERY_INTERVAL = Duration.ofSeconds(10);

    private static final Duration RECOVERY_FAILURE_AFTER = Duration.ofSeconds(8);

    private static final Duration RECOVERY_PRODUCTION = Duration.ofSeconds(30);

    /** The eager sinks' delay (ours and the at-least-once baseline): the default. */
    private static final Duration EAGER_DELAY =
            IdempotentSinkOptions.BATCH_MAX_DELAY.defaultValue();

    private final Settings settings;
    private final PrintStream out;
    private final BenchInfrastructure infrastructure = new BenchInfrastructure();
    private int runs;
    private long lastRunStarted;

    private PipelineBenchmark(Settings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
    }

    public static void run(Settings settings, PrintStream out) throws Exception {
        new PipelineBenchmark(settings, out).run();
    }

    private void run() throws Exception {
        long records = (long) settings.partitions() * settings.recordsPerPartition();
        Duration interval = settings.checkpointInterval();
        List<Variant> throughputVariants = new ArrayList<>();
        throughputVariants.add(new Variant("D", Source.LOCAL, Target.DISCARD, null, interval));
        for (Target target : List.of(Target.FILES, Target.POSTGRES, Target.HTTP)) {
            throughputVariants.add(new Variant("A", Source.LOCAL, target, null, interval));
            for (WriteDurability store : WriteDurability.values()) {
                throughputVariants.add(new Variant("B", Source.LOCAL, target, store, interval));
            }
        }
        throughputVariants.add(new Variant("L", Source.LOCAL, Target.FILES, null, interval));
        throughputVariants.add(
                new Variant("E", Source.LOCAL, Target.FILES, WriteDurability.SYNCED, interval));
        throughputVariants.add(
                new Variant("C", Source.LOCAL, Target.KAFKA_AT_LEAST_ONCE, null, interval));
        throughputVariants.add(
                new Variant("C", Source.LOCAL, Target.KAFKA_EXACTLY_ONCE, null, interval));
        throughputVariants.add(new Variant("D", Source.KAFKA, Target.DISCARD, null, interval));
        throughputVariants.add(new Variant("A", Source.KAFKA, Target.FILES, null, interval));
        throughputVariants.add(
                new Variant("B", Source.KAFKA, Target.FILES, WriteDurability.SYNCED, interval));
        throughputVariants.removeIf(v -> !selected(v.name()));

        List<Variant> latencyVariants = new ArrayList<>();
        // Eager delivery does not wait for checkpoints: measured at 60 s too, where a barrier
        // sink shows nothing within a latency run.
        for (Duration every : LATENCY_INTERVALS) {
            latencyVariants.add(new Variant("L", Source.LOCAL, Target.FILES, null, every));
            for (Target target : List.of(Target.FILES, Target.POSTGRES, Target.HTTP)) {
                latencyVariants.add(
                        new Variant("E", Source.LOCAL, target, WriteDurability.SYNCED, every));
            }
        }
        latencyVariants.add(
                new Variant(
                        "C",
                        Source.LOCAL,
                        Target.KAFKA_AT_LEAST_ONCE,
                        null,
                        Duration.ofSeconds(60)));
        for (Duration every : List.of(Duration.ofSeconds(1), Duration.ofSeconds(10))) {
            latencyVariants.add(new Variant("A", Source.LOCAL, Target.FILES, null, every));
            latencyVariants.add(
                    new Variant("B", Source.LOCAL, Target.FILES, WriteDurability.SYNCED, every));
            latencyVariants.add(
                    new Variant("E", Source.LOCAL, Target.FILES, WriteDurability.SYNCED, every));
            latencyVariants.add(
                    new Variant("C", Source.LOCAL, Target.KAFKA_AT_LEAST_ONCE, null, every));
            latencyVariants.add(
                    new Variant("C", Source.LOCAL, Target.KAFKA_EXACTLY_ONCE, null, every));
        }
        for (Target target : List.of(Target.POSTGRES, Target.HTTP)) {
            latencyVariants.add(
                    new Variant(
                            "B",
                            Source.LOCAL,
                            target,
                            WriteDurability.SYNCED,
                            Duration.ofSeconds(1)));
        }
        latencyVariants.removeIf(v -> !selected(v.nameWithInterval()));
        // Recovery after a failure, at the interval where the re-read is long (issue 11 §2): ours
        // eager, and the at-least-once sink on the same trigger, which re-reads as much.
        List<Variant> recoveryVariants = new ArrayList<>();
        recoveryVariants.add(
                new Variant(
                        "E",
                        Source.LOCAL,
                        Target.FILES,
                        WriteDurability.SYNCED,
                        RECOVERY_INTERVAL));
        recoveryVariants.add(new Variant("L", Source.LOCAL, Target.FILES, null, RECOVERY_INTERVAL));
        recoveryVariants.removeIf(v -> !selected("recovery " + v.nameWithInterval()));

        out.printf(
                Locale.ROOT,
                "Throughput: %d partitions x %,d records of %d bytes (%,d records); parallelism"
                        + " %d; checkpoint interval %s; median of %d interleaved runs.%nLatency: a producer appending %,d"
                        + " records/s for %s; record timestamp -> visible in the destination.%n%n",
                settings.partitions(),
                settings.recordsPerPartition(),
                settings.payloadBytes(),
                records,
                settings.parallelism(),
                interval,
                settings.repetitions(),
                settings.latencyRate(),
                settings.latencyDuration());
        if (settings.only() == null) {
            MicroBenchmarks.run(out);
        }
        Path stream = settings.dir().resolve("stream");
        if (!Files.exists(stream)) {
            BenchData.fillLocal(stream, settings);
        }
        if (throughputVariants.stream().anyMatch(v -> v.source() == Source.KAFKA)) {
            BenchData.fillKafka(INPUT_TOPIC, settings);
        }

        // A first, unrecorded run warms the JIT and the class loaders up for every variant.
        throughputRun(new Variant("D", Source.LOCAL, Target.DISCARD, null, interval), stream);
        Map<Variant, List<Double>> rates = new LinkedHashMap<>();
        Map<Variant, double[]> storeWrites = new LinkedHashMap<>();
        // Interleaved repetitions, so that a slow phase of the machine hits every variant alike,
        // in alternating order, so that no variant always follows the same one; each variant's
        // median run counts (the best runs are reported beside).
        for (int repetition = 1; repetition <= settings.repetitions(); repetition++) {
            List<Variant> order = new ArrayList<>(throughputVariants);
            if (repetition % 2 == 0) {
                Collections.reverse(order);
            }
            for (Variant variant : order) {
                double wall = throughputRun(variant, stream);
                // To the last record visible in the destination, where the benchmark sees it:
                // a bounded job then still waits for its final checkpoint, up to an interval.
                // Kafka's output is not watched (a consumer would compete for the two cores):
                // its variants count to the end of the job.
                double seconds =
                        variant.group().equals("C")
                                ? wall
                                : (Observed.LAST_VISIBLE_NANOS.get() - lastRunStarted) / 1e9;
                rates.computeIfAbsent(variant, v -> new ArrayList<>()).add(records / seconds);
                String delivered = "";
                if (!variant.group().equals("C")) {
                    delivered =
                            String.format(
                                    Locale.ROOT,
                                    " delivered %,d%s",
                                    Observed.RECORDS.get(),
                                    Observed.RECORDS.get() == records ? "" : " (!)");
                }
                if (variant.ours() && Observed.STORE_WRITES.get() > 0) {
                    delivered +=
                            String.format(
                                    Locale.ROOT,
                                    ", %d store writes in %.2f s",
                                    Observed.STORE_WRITES.get(),
                                    Observed.STORE_WRITE_NANOS.get() / 1e9);
                }
                if (variant.ours() && Observed.MARKING_WRITES.get() > 0) {
                    long all = Observed.STORE_WRITES.get();
                    long inCycles =
                            all - Observed.ACQUISITIONS.get() - Observed.COMMIT_ONLY_WRITES.get();
                    // A batch cycle: a delivery with elements, which marks its batches pending in
                    // one write (with the commits of the deliveries before).
                    double cycles = Observed.MARKING_WRITES.get();
                    storeWrites.put(
                            variant,
                            new double[] {
                                (double) inCycles / Observed.BATCHES.get(),
                                inCycles / cycles,
                                all / cycles,
                                cycles,
                                Observed.ACQUISITIONS.get(),
                                Observed.COMMIT_ONLY_WRITES.get()
                            });
                }
                out.printf(
                        Locale.ROOT,
                        "  run %d %-55s %7.2f s %,12.0f records/s (job %.2f s)%s%n",
                        repetition,
                        variant.name(),
                        seconds,
                        records / seconds,
                        wall,
                        delivered);
            }
        }
        Map<Variant, long[]> latency = new LinkedHashMap<>();
        Map<Variant, double[]> liveStoreWrites = new LinkedHashMap<>();
        for (Variant variant : latencyVariants) {
            long[] samples = liveRun(variant, null, settings.latencyDuration());
            long[] percentiles = {percentile(samples, 0.50), percentile(samples, 0.99)};
            latency.put(variant, percentiles);
            String writes = "";
            if (variant.ours()) {
                double[] rate = liveStoreWrites(settings.latencyDuration());
                liveStoreWrites.put(variant, rate);
                writes =
                        String.format(
                                Locale.ROOT,
                                ", store writes %.1f/s, %.2f per delivery",
                                rate[0],
                                rate[1]);
            }
            out.printf(
                    Locale.ROOT,
                    "  %-55s p50 %,6d ms  p99 %,6d ms  (%,d records%s)%n",
                    variant.nameWithInterval(),
                    percentiles[0],
                    percentiles[1],
                    samples.length,
                    writes);
        }
        List<String> recoveries = new ArrayList<>();
        for (Variant variant : recoveryVariants) {
            recoveries.add(recoveryRun(variant));
            out.println("  " + recoveries.get(recoveries.size() - 1));
        }
        infrastructure.close();
        Map<Variant, Double> throughput = new LinkedHashMap<>();
        Map<Variant, Double> best = new LinkedHashMap<>();
        rates.forEach(
                (variant, runs) -> {
                    List<Double> sorted = runs.stream().sorted().toList();
                    throughput.put(variant, sorted.get((sorted.size() - 1) / 2));
                    best.put(variant, sorted.get(sorted.size() - 1));
                });
        report(throughput, best, storeWrites, latency);
        liveStoreWrites.forEach(
                (variant, rate) ->
                        out.printf(
                                Locale.ROOT,
                                "store writes %-55s %.1f/s, %.2f per delivery%n",
                                variant.nameWithInterval(),
                                rate[0],
                                rate[1]));
        recoveries.forEach(out::println);
        if (settings.plot() != null && !throughput.isEmpty()) {
            BenchmarkPlot.write(settings.plot(), throughput, latency);
            out.println("Plot: " + settings.plot().toAbsolutePath().normalize());
        }
    }

    private boolean selected(String name) {
        if (settings.only() == null) {
            return true;
        }
        for (String prefix : settings.only().split(",")) {
            if (name.startsWith(prefix.trim())) {
                return true;
            }
        }
        return false;
    }

    private void report(
            Map<Variant, Double> throughput,
            Map<Variant, Double> best,
            Map<Variant, double[]> storeWrites,
            Map<Variant, long[]> latency) {
        out.println();
        out.printf("%-55s %14s %14s%n", "variant", "median rec/s", "best rec/s");
        throughput.forEach(
                (variant, rate) ->
                        out.printf(
                                Locale.ROOT,
                                "%-55s %,14.0f %,14.0f%n",
                                variant.name(),
                                rate,
                                best.get(variant)));
        Double ceiling = find(throughput, "D", Source.LOCAL, Target.DISCARD, null);
        Double filesAtLeastOnce = find(throughput, "A", Source.LOCAL, Target.FILES, null);
        for (Target target : List.of(Target.FILES, Target.POSTGRES, Target.HTTP)) {
            Double atLeastOnce = find(throughput, "A", Source.LOCAL, target, null);
            for (WriteDurability store : WriteDurability.values()) {
                Double ours = find(throughput, "B", Source.LOCAL, target, store);
                if (atLeastOnce != null && ours != null) {
                    out.printf(
                            Locale.ROOT,
                            "  ours/at-least-once, %s, store %s = %.2f%n",
                            target.label,
                            store.name().toLowerCase(),
                            ours / atLeastOnce);
                }
            }
        }
        double worst = worstRatio(throughput);
        if (!Double.isNaN(worst)) {
            out.printf(Locale.ROOT, "ratio ours exactly-once/at-least-once = %.2f%n", worst);
        }
        Double kafkaAtLeastOnce =
                find(throughput, "C", Source.LOCAL, Target.KAFKA_AT_LEAST_ONCE, null);
        Double kafkaExactlyOnce =
                find(throughput, "C", Source.LOCAL, Target.KAFKA_EXACTLY_ONCE, null);
        if (kafkaAtLeastOnce != null && kafkaExactlyOnce != null) {
            out.printf(
                    Locale.ROOT,
                    "ratio kafka exactly-once/at-least-once = %.2f%n",
                    kafkaExactlyOnce / kafkaAtLeastOnce);
        }
        if (ceiling != null && filesAtLeastOnce != null) {
            out.printf(
                    Locale.ROOT,
                    "ratio at-least-once/ceiling = %.2f%n",
                    filesAtLeastOnce / ceiling);
        }
        out.printf(
                Locale.ROOT,
                "  (the same from each variant's best run: ours = %.2f, kafka = %.2f)%n",
                worstRatio(best),
                ratio(best, Target.KAFKA_EXACTLY_ONCE, Target.KAFKA_AT_LEAST_ONCE));
        storeWrites.forEach(
                (variant, w) -> {
                    if (variant.store() == WriteDurability.SYNCED) {
                        out.printf(
                                Locale.ROOT,
                                "synced store writes per batch = %.2f, per batch cycle = %.2f; over"
                                        + " the whole run %.2f per cycle (%.0f cycles, %.0f"
                                        + " partition acquisitions, %.0f commit-only writes; %s)%n",
                                w[0],
                                w[1],
                                w[2],
                                w[3],
                                w[4],
                                w[5],
                                variant.name());
                    }
                });
        latency.forEach(
                (variant, p) ->
                        out.printf(
                                Locale.ROOT,
                                "latency %-55s p50 = %.2f s, p99 = %.2f s%n",
                                variant.nameWithInterval(),
                                p[0] / 1000.0,
                                p[1] / 1000.0));

        reportEager(throughput, latency);
    }

    /** The eager mode's targets (issue 11), each a ratio within this run. */
    private void reportEager(Map<Variant, Double> throughput, Map<Variant, long[]> latency) {
        for (Duration every : LATENCY_INTERVALS) {
            long[] ours = latencyOf(latency, "E", Target.FILES, every);
            long[] baseline = latencyOf(latency, "L", Target.FILES, every);
            if (ours != null && baseline != null) {
                out.printf(
                        Locale.ROOT,
                        "ratio ours eager p99/at-least-once eager p99 @%ds = %.2f%n",
                        every.toSeconds(),
                        (double) ours[1] / baseline[1]);
            }
        }
        long[] ours10 = latencyOf(latency, "E", Target.FILES, Duration.ofSeconds(10));
        long[] kafka10 = latencyOf(latency, "C", Target.KAFKA_EXACTLY_ONCE, Duration.ofSeconds(10));
        if (ours10 != null && kafka10 != null) {
            out.printf(
                    Locale.ROOT,
                    "ratio ours eager p99/kafka exactly-once p99 @10s = %.3f%n",
                    (double) ours10[1] / kafka10[1]);
        }
        Double eager = find(throughput, "E", Source.LOCAL, Target.FILES, WriteDurability.SYNCED);
        Double atLeastOnceEager = find(throughput, "L", Source.LOCAL, Target.FILES, null);
        if (eager != null && atLeastOnceEager != null) {
            out.printf(
                    Locale.ROOT,
                    "ratio ours eager exactly-once/at-least-once = %.2f%n",
                    eager / atLeastOnceEager);
        }
        long[] ours1 = latencyOf(latency, "E", Target.FILES, Duration.ofSeconds(1));
        long[] ours60 = latencyOf(latency, "E", Target.FILES, Duration.ofSeconds(60));
        if (ours1 != null && ours60 != null) {
            out.printf(
                    Locale.ROOT,
                    "ratio ours eager p99 @60s/@1s = %.2f%n",
                    (double) ours60[1] / ours1[1]);
        }
    }

    @Nullable
    private static long[] latencyOf(
            Map<Variant, long[]> latency, String group, Target target, Duration interval) {
        for (Map.Entry<Variant, long[]> entry : latency.entrySet()) {
            Variant v = entry.getKey();
            if (v.group().equals(group)
                    && v.target() == target
                    && v.checkpointInterval().equals(interval)) {
                return entry.getValue();
            }
        }
        return null;
    }

    private static double worstRatio(Map<Variant, Double> throughput) {
        double worst = Double.NaN;
        for (Target target : List.of(Target.FILES, Target.POSTGRES, Target.HTTP)) {
            Double atLeastOnce = find(throughput, "A", Source.LOCAL, target, null);
            for (WriteDurability store : WriteDurability.values()) {
                Double ours = find(throughput, "B", Source.LOCAL, target, store);
                if (atLeastOnce != null && ours != null) {
                    worst =
                            Double.isNaN(worst)
                                    ? ours / atLeastOnce
                                    : Math.min(worst, ours / atLeastOnce);
                }
            }
        }
        return worst;
    }

    private static double ratio(Map<Variant, Double> throughput, Target over, Target under) {
        Double a = find(throughput, "C", Source.LOCAL, over, null);
        Double b = find(throughput, "C", Source.LOCAL, under, null);
        return a == null || b == null ? Double.NaN : a / b;
    }

    private static <V> V find(
            Map<Variant, V> results,
            String group,
            Source source,
            Target target,
            WriteDurability store) {
        for (Map.Entry<Variant, V> entry : results.entrySet()) {
            Variant v = entry.getKey();
            if (v.group().equals(group)
                    && v.source() == source
                    && v.target() == target
                    && v.store() == store) {
                return entry.getValue();
            }
        }
        return null;
    }

    private double throughputRun(Variant variant, Path stream) throws Exception {
        Observed.reset(false);
        Path runDir = settings.dir().resolve("run-" + ++runs);
        StreamExecutionEnvironment env = environment(runDir, variant.checkpointInterval());
        IdempotentSourceBuilder source =
                IdempotentSource.builder().stream(
                                variant.source() == Source.LOCAL
                                        ? LocalStream.factory(stream)
                                        : KafkaPartitionedStream.factory(
                                                infrastructure.kafka(),
                                                INPUT_TOPIC,
                                                new Properties()))
                        .bounded();
        build(env, source, variant, runDir, null);
        lastRunStarted = System.nanoTime();
        env.execute("bench " + variant.name());
        double seconds = (System.nanoTime() - lastRunStarted) / 1e9;
        settle(runDir);
        return seconds;
    }

    /**
     * The store writes of the live run just finished: per second of production, and per delivery
     * (writes that marked batches pending; acquisitions not counted).
     */
    private static double[] liveStoreWrites(Duration production) {
        long writes = Observed.STORE_WRITES.get();
        long deliveries = Observed.MARKING_WRITES.get();
        return new double[] {
            writes / (double) production.toSeconds(),
            deliveries == 0
                    ? Double.NaN
                    : (writes - Observed.ACQUISITIONS.get()) / (double) deliveries
        };
    }

    /**
     * A live run that fails once {@link #RECOVERY_FAILURE_AFTER} after a checkpoint completed: what
     * the source read again, how long the restart and the re-read took, when the first record
     * appended after the failure became visible, and whether anything was lost or duplicated.
     */
    private String recoveryRun(Variant variant) throws Exception {
        InjectedFailure.reset();
        CountingReporter.resetResent();
        liveRun(variant, RECOVERY_FAILURE_AFTER, RECOVERY_PRODUCTION);
        long produced = settings.latencyRate() * RECOVERY_PRODUCTION.toSeconds();
        long visible = Observed.RECORDS.get();
        String name = "recovery " + variant.nameWithInterval();
        if (!InjectedFailure.failed() || InjectedFailure.FIRST_READ_AFTER.get() == 0) {
            return String.format("%s: the failure did not happen or the job did not restart", name);
        }
        long failed = InjectedFailure.failedNanos;
        long firstRead = InjectedFailure.FIRST_READ_AFTER.get();
        long firstNew = InjectedFailure.FIRST_NEW_READ_AFTER.get();
        long lastSlow = Observed.LAST_SLOW_VISIBLE.get();
        return String.format(
                Locale.ROOT,
                "%s: failure %.0f s after a checkpoint (a send applied, then failed); restart"
                        + " %.2f s (failure -> first record read again); re-read %,d records in"
                        + " %.2f s, %d pending batches re-sent; caught up %.2f s after the"
                        + " failure (from then on every record visible within %d ms); max latency %.2f s;"
                        + " %,d appended, %,d visible (%s)",
                name,
                (double) RECOVERY_FAILURE_AFTER.toSeconds(),
                (firstRead - failed) / 1e9,
                InjectedFailure.REREAD.get(),
                firstNew == 0 ? Double.NaN : (firstNew - firstRead) / 1e9,
                CountingReporter.resentBatches(),
                lastSlow < InjectedFailure.failedMillis
                        ? 0.0
                        : (lastSlow - InjectedFailure.failedMillis) / 1000.0,
                Observed.SLOW_MILLIS,
                Observed.MAX_LATENCY.get() / 1000.0,
                produced,
                visible,
                visible == produced
                        ? "0 lost, 0 duplicated"
                        : visible > produced
                                ? "at least " + (visible - produced) + " duplicated"
                                : "at least " + (produced - visible) + " lost");
    }

    private long[] liveRun(
            Variant variant, @Nullable Duration failAfterCheckpoint, Duration production)
            throws Exception {
        Observed.reset(true);
        Path runDir = settings.dir().resolve("run-" + ++runs);
        Path live = runDir.resolve("live");
        LocalStream.create(live, "live", settings.partitions(), WriteDurability.RELAXED).close();
        StreamExecutionEnvironment env = environment(runDir, variant.checkpointInterval());
        String outputTopic =
                build(
                        env,
                        IdempotentSource.builder().stream(LocalStream.factory(live))
                                .partitionDiscoveryInterval(Duration.ZERO),
                        variant,
                        runDir,
                        failAfterCheckpoint == null
                                ? null
                                : new InjectedFailure(failAfterCheckpoint.toNanos()));
        JobClient job = env.executeAsync("latency " + variant.nameWithInterval());
        try (KafkaLineReader reader =
                outputTopic == null
                        ? null
                        : new KafkaLineReader(infrastructure.kafka(), outputTopic)) {
            BenchData.awaitRunning(job);
            long produced = BenchData.produceLive(live, settings, production);
            long deadline =
                    System.nanoTime()
                            + variant.checkpointInterval().multipliedBy(3).toNanos()
                            + TimeUnit.SECONDS.toNanos(20);
            while (Observed.RECORDS.get() < produced && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            if (Observed.RECORDS.get() < produced) {
                out.printf(
                        "  (only %,d of %,d records became visible in time)%n",
                        Observed.RECORDS.get(), produced);
            }
        } finally {
            job.cancel().get(60, TimeUnit.SECONDS);
        }
        settle(runDir);
        return Observed.latencies();
    }

    /**
     * Leaves the machine as the next run should find it: this run's files deleted and flushed, its
     * table dropped and the database's dirty pages written, the heap collected. Two cores and one
     * disk are shared by the job, the database and the kernel's writeback, so whatever a run leaves
     * behind would otherwise slow the next one down.
     */
    private void settle(Path runDir) throws Exception {
        infrastructure.dropTables(table(runs), table(runs) + "_ledger");
        try {
            FileUtils.deleteDirectory(runDir.toFile());
        } catch (IOException e) {
            // A cancelled job may still be closing its store; the directory stays.
        }
        new ProcessBuilder("sync").inheritIO().start().waitFor();
        System.gc();
        Thread.sleep(500);
    }

    private static String table(int run) {
        return "bench_" + run;
    }

    private StreamExecutionEnvironment environment(Path runDir, Duration checkpointInterval) {
        Configuration conf = new Configuration();
        conf.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                runDir.resolve("flink-checkpoints").toUri().toString());
        CountingReporter.configure(conf);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(conf);
        env.setParallelism(settings.parallelism());
        env.enableCheckpointing(checkpointInterval.toMillis());
        return env;
    }

    /** Builds the job; returns the Kafka topic it writes to, if it writes to one. */
    private String build(
            StreamExecutionEnvironment env,
            IdempotentSourceBuilder source,
            Variant variant,
            Path runDir,
            @Nullable InjectedFailure failure) {
        Path store = runDir.resolve("store");
        if (variant.ours()) {
            // The sink's store: the source replays pending ranges from it after a failure.
            source.checkpointStore(RocksDbCheckpointStore.factory(store, variant.store()));
        }
        LineJob job = LineJob.read(env, source);
        if (failure != null) {
            job.through(failure);
        }
        DataStream<Traced<String>> lines = job.lines();
        switch (variant.target()) {
            case DISCARD:
                lines.sinkTo(Observed.discarding());
                return null;
            case KAFKA_AT_LEAST_ONCE:
            case KAFKA_EXACTLY_ONCE:
                String topic = "bench-out-" + runs;
                infrastructure.createTopic(topic, settings.partitions());
                lines.map(Traced::value)
                        .returns(Types.STRING)
                        .sinkTo(kafkaSink(variant.target(), topic));
                return topic;
            default:
                DestinationFactory<String> destination =
                        Observed.around(destination(variant.target(), runDir));
                if (variant.group().equals("A") || variant.group().equals("L")) {
                    lines.sinkTo(
                            new AtLeastOnceSink(
                                    destination, variant.group().equals("L") ? EAGER_DELAY : null));
                } else {
                    lines.sinkTo(
                            IdempotentSink.<String>builder()
                                    .name("bench")
                                    .deliveryMode(
                                            variant.group().equals("E")
                                                    ? DeliveryMode.EAGER
                                                    : DeliveryMode.BARRIER)
                                    .batchMaxDelay(EAGER_DELAY)
                                    .destination(destination)
                                    .checkpointStore(
                                            Observed.around(
                                                    RocksDbCheckpointStore.factory(
                                                            store, variant.store())))
                                    .build());
                }
                return null;
        }
    }

    private DestinationFactory<String> destination(Target target, Path runDir) {
        switch (target) {
            case FILES:
                return FileDestination.factory(
                        runDir.resolve("out"), line -> line.getBytes(StandardCharsets.UTF_8));
            case POSTGRES:
                String table = infrastructure.createLineTable(table(runs));
                return JdbcDestination.<String>builder()
                        .url(infrastructure.postgres())
                        .insert("INSERT INTO " + table + " (line) VALUES (?)")
                        .binder((statement, line) -> statement.setString(1, line))
                        .ledgerTable(table + "_ledger")
                        .buildFactory();
            case HTTP:
                return HttpDestination.<String>builder()
                        .url(infrastructure.newHttp())
                        .encoder(line -> line.getBytes(StandardCharsets.UTF_8))
                        .buildFactory();
            default:
                throw new IllegalArgumentException(target.name());
        }
    }

    private KafkaSink<String> kafkaSink(Target target, String topic) {
        Properties producer = new Properties();
        // The broker allows transactions of up to 15 minutes; KafkaSink asks for an hour.
        producer.setProperty("transaction.timeout.ms", "600000");
        return KafkaSink.<String>builder()
                .setBootstrapServers(infrastructure.kafka())
                .setRecordSerializer(
                        KafkaRecordSerializationSchema.builder()
                                .setTopic(topic)
                                .setValueSerializationSchema(new SimpleStringSchema())
                                .build())
                .setDeliveryGuarantee(
                        target == Target.KAFKA_EXACTLY_ONCE
                                ? DeliveryGuarantee.EXACTLY_ONCE
                                : DeliveryGuarantee.AT_LEAST_ONCE)
                .setTransactionalIdPrefix("bench-" + UUID.randomUUID())
                .setKafkaProducerConfig(producer)
                .build();
    }

    static long percentile(long[] sorted, double quantile) {
        if (sorted.length == 0) {
            return -1;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(quantile * sorted.length) - 1)];
    }
}
