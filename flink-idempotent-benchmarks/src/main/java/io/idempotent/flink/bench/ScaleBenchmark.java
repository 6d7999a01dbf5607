package io.idempotent.flink.bench;

import io.idempotent.flink.checkpoint.CheckpointStoreFactory;
import io.idempotent.flink.checkpoint.jdbc.PostgresCheckpointStore;
import io.idempotent.flink.checkpoint.rocksdb.RocksDbCheckpointStore;
import io.idempotent.flink.destination.DestinationFactory;
import io.idempotent.flink.destination.file.FileDestination;
import io.idempotent.flink.sink.IdempotentSink;
import io.idempotent.flink.source.IdempotentSource;
import io.idempotent.flink.source.IdempotentSourceBuilder;
import io.idempotent.flink.source.enumerator.EnumeratorState;
import io.idempotent.flink.source.enumerator.EnumeratorStateSerializer;
import io.idempotent.flink.source.split.PartitionSplit;
import io.idempotent.flink.source.split.PartitionSplitSerializer;
import io.idempotent.flink.storage.SharedRocksDb;
import io.idempotent.flink.storage.WriteDurability;
import io.idempotent.flink.stream.PartitionedStreamFactory;
import io.idempotent.flink.stream.StreamPartition;
import io.idempotent.flink.stream.kafka.KafkaPartitionedStream;
import io.idempotent.flink.stream.local.LocalStream;
import io.idempotent.flink.testutils.ClassHistogram;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.annotation.Nullable;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.FileUtils;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.rocksdb.FlushOptions;
import org.rocksdb.RocksDB;

/**
 * The same job (a partitioned stream → a light map → {@link IdempotentSink}, eager, into files) at
 * growing partition counts with the same total records and the same total record rate, from the
 * embedded stream and from Kafka, on the RocksDB and the PostgreSQL store (issue 13): what grows
 * with the partitions, and what must not.
 *
 * <p>Per size: a bounded run over a filled stream (time from submit to the first delivery,
 * throughput, the store's writes: acquisitions, per delivery, their duration and rows), then a live
 * run at a fixed total rate (p99 latency, heap, metric series), then a live run with a failure
 * (restore to the first delivery after it). Enumerator and split state are sized with their own
 * serializers, as a checkpoint holds them.
 *
 * <p>The steady throughput is measured in rounds: after the first round of every size, each later
 * round runs every size's live job again, the sizes in the other order, and drains its backlogs
 * again; per size the best round counts, and every round's figure is printed. A whole size's run
 * could be slowed by 1.3-1.4 times on every thread of the process at once, the same code in the
 * same JVM (docs/benchmarks.md, "slow rows"); the machine only ever makes a run slower, so the best
 * of rounds taken at different times is the least disturbed measurement of each size, and the ratio
 * of two sizes does not depend on where one such spell fell.
 */
public final class ScaleBenchmark {

    /** Where the job reads. */
    public enum Source {
        EMBEDDED,
        KAFKA
    }

    /** Where the sink delivers. */
    public enum Destination {
        /** Identities kept in memory, repeats dropped: the connector's own costs. */
        MEMORY,
        /** A file per batch, fsync'd with its directory. */
        FILES
    }

    /** Which checkpoint store the source and the sink share. */
    public enum Store {
        ROCKSDB,
        POSTGRES
    }

    /** What to run. */
    public record Settings(
            Path dir,
            List<Integer> sizes,
            List<Source> sources,
            List<Store> stores,
            Destination destination,
            long records,
            long steadyRecords,
            int steadyRepeats,
            int rounds,
            int payloadBytes,
            int parallelism,
            Duration checkpointInterval,
            int liveRate,
            Duration liveDuration,
            boolean perPartitionMetrics,
            Map<String, String> flinkConfiguration,
            @Nullable Path plot) {}

    /** One size's measurements. */
    record Result(
            Source source,
            Store store,
            int partitions,
            Speed speed,
            Writes writes,
            Footprint footprint,
            Latency latency,
            String problems) {

        /**
         * This result with another round's steady drains: the round's throughput is added to the
         * steady rounds, and the steady figures are the better round's.
         */
        Result withRound(Steady round, List<String> roundProblems) {
            List<Double> rates = new ArrayList<>(speed.steadyRounds());
            rates.add(round.recordsPerSecond());
            boolean better =
                    Double.isNaN(speed.steadyRecordsPerSecond())
                            || round.recordsPerSecond() > speed.steadyRecordsPerSecond();
            List<String> all = new ArrayList<>();
            if (!problems.isEmpty()) {
                all.add(problems);
            }
            for (String problem : roundProblems) {
                all.add("round " + rates.size() + ": " + problem);
            }
            Speed faster =
                    better
                            ? new Speed(
                                    speed.firstDeliverySeconds(),
                                    speed.recordsPerSecond(),
                                    speed.deliveringRecordsPerSecond(),
                                    round.recordsPerSecond(),
                                    round.bareRecordsPerSecond(),
                                    round.cpuPerMillion(),
                                    List.copyOf(rates))
                            : new Speed(
                                    speed.firstDeliverySeconds(),
                                    speed.recordsPerSecond(),
                                    speed.deliveringRecordsPerSecond(),
                                    speed.steadyRecordsPerSecond(),
                                    speed.bareReadRecordsPerSecond(),
                                    speed.steadyCpuPerMillion(),
                                    List.copyOf(rates));
            return new Result(
                    source,
                    store,
                    partitions,
                    faster,
                    writes,
                    footprint,
                    latency,
                    String.join("; ", all));
        }
    }

    /**
     * How fast: until the first delivery, over the bounded run, from the first delivery on, and in
     * the steady drains of the live run (the best round's, with the bare read rate and the CPU, and
     * every round's rate).
     */
    record Speed(
            double firstDeliverySeconds,
            double recordsPerSecond,
            double deliveringRecordsPerSecond,
            double steadyRecordsPerSecond,
            double bareReadRecordsPerSecond,
            CpuProbe.Cpu steadyCpuPerMillion,
            List<Double> steadyRounds) {}

    /** The checkpoint store's writes: take-overs, per delivery, their duration and size. */
    record Writes(
            long acquisitionWrites,
            long acquiredPartitions,
            double writesPerDelivery,
            double writeMillis,
            double rowsPerWrite) {}

    /** What grows with the partitions: Flink state, metric series, heap. */
    record Footprint(
            long enumeratorStateBytes,
            long splitStateBytes,
            long metricSeries,
            long partitionMetricSeries,
            long heapBytes,
            long connectorHeapBytes) {}

    /**
     * The live run: the p99 latency until a record is visible, and the recovery after a failure.
     */
    record Latency(long p99Millis, double recoverySeconds) {}

    private static final Duration FAIL_AFTER_CHECKPOINT = Duration.ofMillis(500);

    private final Settings settings;
    private final PrintStream out;
    private final BenchInfrastructure infrastructure = new BenchInfrastructure();
    private int runs;

    private ScaleBenchmark(Settings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
    }

    public static void run(Settings settings, PrintStream out) throws Exception {
        new ScaleBenchmark(settings, out).run();
    }

    private void run() throws Exception {
        out.printf(
                Locale.ROOT,
                "Scale: %,d records of %d bytes in all per bounded run, parallelism %d, checkpoints"
                        + " every %s, eager sink into %s; live runs at %,d records/s in all for"
                        + " %s; %d backlogs of %,d records for the steady throughput (the median),"
                        + " in %d rounds (the best); per-partition metrics %s.%n",
                settings.records(),
                settings.payloadBytes(),
                settings.parallelism(),
                settings.checkpointInterval(),
                settings.destination().name().toLowerCase(Locale.ROOT),
                settings.liveRate(),
                settings.liveDuration(),
                settings.steadyRepeats(),
                settings.steadyRecords(),
                settings.rounds(),
                settings.perPartitionMetrics() ? "on" : "off");
        if (!settings.flinkConfiguration().isEmpty()) {
            out.printf(Locale.ROOT, "Flink configuration: %s%n", settings.flinkConfiguration());
        }
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        out.printf(
                Locale.ROOT,
                "JVM heap: initial %,d MB, max %,d MB%s%n",
                heap.getInit() >> 20,
                heap.getMax() >> 20,
                heap.getInit() < heap.getMax()
                        ? " (not fixed: a TaskManager runs with -Xms = -Xmx; a growing heap"
                                + " collects more often at first and the sizes measured first pay"
                                + " for it)"
                        : "");
        // First, unrecorded runs of the smallest and the largest size warm the JIT and the class
        // loaders up, so that every size is measured with code compiled for all of them: warmed
        // at the smallest only, the smallest's task threads spent 0.47-0.66 s per million records
        // in some runs and 1.07-1.20 s in others (1.2-1.3 s at the largest), and the ratio of the
        // steady throughputs moved between 0.48 and 0.71 from run to run.
        measure(settings.sources().get(0), settings.stores().get(0), settings.sizes().get(0));
        if (settings.sizes().size() > 1) {
            measure(
                    settings.sources().get(0),
                    settings.stores().get(0),
                    settings.sizes().get(settings.sizes().size() - 1));
        }
        List<Result> results = new ArrayList<>();
        for (Source source : settings.sources()) {
            for (Store store : settings.stores()) {
                for (int partitions : settings.sizes()) {
                    Result result;
                    try {
                        result = measure(source, store, partitions);
                        if (partitions == settings.sizes().get(settings.sizes().size() - 1)) {
                            out.println(
                                    "    the library's largest classes on the heap: "
                                            + lastHistogram);
                        }
                    } catch (Exception e) {
                        // One size that cannot run does not lose the others' measurements.
                        result = failed(source, store, partitions, e);
                    }
                    results.add(result);
                    out.println("  " + line(result));
                }
            }
        }
        for (int round = 2; round <= settings.rounds(); round++) {
            steadyRound(round, results);
        }
        infrastructure.close();
        report(results);
        if (settings.plot() != null) {
            ScalePlot.write(settings.plot(), results);
            out.println("Plot: " + settings.plot().toAbsolutePath().normalize());
        }
    }

    /** {@code values}, each formatted with {@code format}, separated by commas. */
    private static String joined(List<Double> values, String format) {
        List<String> formatted = new ArrayList<>(values.size());
        for (double value : values) {
            formatted.add(String.format(Locale.ROOT, format, value));
        }
        return String.join(", ", formatted);
    }

    /**
     * Another round of steady drains for every size, the sizes in the other order than the round
     * before; each result takes the round in ({@link Result#withRound}).
     */
    private void steadyRound(int round, List<Result> results) {
        for (Source source : settings.sources()) {
            for (Store store : settings.stores()) {
                List<Integer> order = new ArrayList<>(settings.sizes());
                if (round % 2 == 0) {
                    Collections.reverse(order);
                }
                for (int partitions : order) {
                    List<String> problems = new ArrayList<>();
                    Steady steady;
                    try {
                        steady = liveRun(source, store, partitions, false, problems).steady();
                    } catch (Exception e) {
                        steady = Steady.NONE;
                        problems.add("failed: " + e + ", root cause: " + rootCause(e));
                    }
                    for (int i = 0; i < results.size(); i++) {
                        Result result = results.get(i);
                        if (result.source() == source
                                && result.store() == store
                                && result.partitions() == partitions) {
                            results.set(i, result.withRound(steady, problems));
                        }
                    }
                    out.printf(
                            Locale.ROOT,
                            "  round %d: %-8s %-8s %,6d partitions: steady %,.0f, CPU %.2f s per"
                                    + " million records: %s%s%n",
                            round,
                            source.name().toLowerCase(Locale.ROOT),
                            store.name().toLowerCase(Locale.ROOT),
                            partitions,
                            steady.recordsPerSecond(),
                            steady.cpuPerMillion().process(),
                            steady.cpuPerMillion().describe(),
                            problems.isEmpty() ? "" : " (!) " + String.join("; ", problems));
                }
            }
        }
    }

    private Result measure(Source source, Store store, int partitions) throws Exception {
        List<String> problems = new ArrayList<>();
        // The bounded run.
        Observed.reset(false);
        CountingReporter.reset();
        Path runDir = settings.dir().resolve("run-" + ++runs);
        String name = "scale" + runs;
        PartitionedStreamFactory filled = fill(source, runDir, name, partitions);
        long started = System.nanoTime();
        StreamExecutionEnvironment env = environment(runDir);
        build(env, IdempotentSource.builder().stream(filled).bounded(), store, runDir, null, false);
        env.execute("scale " + partitions);
        double seconds = (Observed.LAST_VISIBLE_NANOS.get() - started) / 1e9;
        double first = (Observed.FIRST_VISIBLE_NANOS.get() - started) / 1e9;
        // From the first delivery on: the start (submit to first delivery) is a column of its own.
        double delivering = seconds - first;
        if (Observed.RECORDS.get() != totalRecords(partitions)) {
            problems.add(
                    String.format(
                            Locale.ROOT,
                            "bounded run delivered %,d of %,d",
                            Observed.RECORDS.get(),
                            totalRecords(partitions)));
        }
        long writes = Observed.STORE_WRITES.get();
        long acquisitions = Observed.ACQUISITIONS.get();
        long acquired = Observed.ACQUIRED_PARTITIONS.get();
        long deliveries = Observed.MARKING_WRITES.get();
        double writesPerDelivery =
                deliveries == 0
                        ? Double.NaN
                        : (writes - acquisitions - Observed.COMMIT_ONLY_WRITES.get())
                                / (double) deliveries;
        double writeMillis = writes == 0 ? 0 : Observed.STORE_WRITE_NANOS.get() / 1e6 / writes;
        double rowsPerWrite = writes == 0 ? 0 : Observed.ROWS.get() / (double) writes;
        settle(runDir, source == Source.KAFKA ? name : null);

        // The live run: latency, heap and metric series while every partition takes records.
        Live live = liveRun(source, store, partitions, false, problems);
        long heap = live.heapBytes();
        long connectorHeap = live.connectorHeapBytes();
        Steady steady = live.steady();
        long series = CountingReporter.peak();
        long partitionSeries = CountingReporter.peakPerPartition();
        long p99 = PipelineBenchmark.percentile(Observed.latencies(), 0.99);

        // The live run with a failure: restore to the first delivery after it.
        InjectedFailure.reset();
        liveRun(source, store, partitions, true, problems);
        double recovery =
                Observed.FIRST_SEND_AFTER_RESTART.get() == 0 || InjectedFailure.failedNanos == 0
                        ? Double.NaN
                        : (Observed.FIRST_SEND_AFTER_RESTART.get() - InjectedFailure.failedNanos)
                                / 1e9;
        if (CountingReporter.resentBatches() == 0) {
            // The readers replay the pending ranges the store holds only when the source knows
            // its sink (the pipeline check tells it); a recovery without a replay measures less.
            problems.add("the recovery re-sent no pending batch");
        }
        if (Double.isNaN(recovery)) {
            problems.add("no delivery after the failure");
        }
        return new Result(
                source,
                store,
                partitions,
                new Speed(
                        first,
                        totalRecords(partitions) / seconds,
                        totalRecords(partitions) / delivering,
                        steady.recordsPerSecond(),
                        steady.bareRecordsPerSecond(),
                        steady.cpuPerMillion(),
                        List.of(steady.recordsPerSecond())),
                new Writes(acquisitions, acquired, writesPerDelivery, writeMillis, rowsPerWrite),
                new Footprint(
                        enumeratorStateBytes(partitions),
                        splitStateBytes(partitions),
                        series,
                        partitionSeries,
                        heap,
                        connectorHeap),
                new Latency(p99, recovery),
                String.join("; ", problems));
    }

    private static Result failed(Source source, Store store, int partitions, Exception e) {
        return new Result(
                source,
                store,
                partitions,
                new Speed(
                        Double.NaN,
                        Double.NaN,
                        Double.NaN,
                        Double.NaN,
                        Double.NaN,
                        CpuProbe.none(),
                        List.of(Double.NaN)),
                new Writes(0, 0, Double.NaN, Double.NaN, Double.NaN),
                new Footprint(0, 0, 0, 0, 0, 0),
                new Latency(-1, Double.NaN),
                "failed: " + e + ", root cause: " + rootCause(e));
    }

    private static Throwable rootCause(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** Records per partition, so that every size holds (about) the same total. */
    private long perPartition(int partitions) {
        return Math.max(1, settings.records() / partitions);
    }

    private long totalRecords(int partitions) {
        return perPartition(partitions) * partitions;
    }

    private PartitionedStreamFactory fill(Source source, Path runDir, String name, int partitions)
            throws Exception {
        long each = perPartition(partitions);
        if (source == Source.EMBEDDED) {
            Path dir = runDir.resolve("stream");
            BenchData.fillLocal(dir, name, partitions, each, settings.payloadBytes());
            return LocalStream.factory(dir);
        }
        infrastructure.createTopic(name, partitions);
        appendToKafka(name, partitions, each);
        return KafkaPartitionedStream.factory(infrastructure.kafka(), name, new Properties());
    }

    /** Waits until {@code records} are visible in the destination, or {@code timeout} passed. */
    private static void awaitVisible(long records, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (Observed.RECORDS.get() < records && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    /** Appends {@code each} records to every partition of the live run's stream, at once. */
    private void appendToAll(Source source, Path runDir, String name, int partitions, long each)
            throws Exception {
        if (source == Source.KAFKA) {
            appendToKafka(name, partitions, each);
            return;
        }
        try (LocalStream local =
                LocalStream.open(runDir.resolve("live"), WriteDurability.RELAXED)) {
            long n = 0;
            long now = System.currentTimeMillis();
            for (String partition : local.partitions()) {
                List<LocalStream.NewRecord> records = new ArrayList<>();
                for (long i = 0; i < each; i++) {
                    records.add(
                            LocalStream.NewRecord.of(
                                    BenchData.payload(n++, settings.payloadBytes()), now));
                }
                local.appendAll(partition, records);
            }
        }
    }

    /**
     * Waits until the embedded stream's database has written the backlog to its files and finished
     * the compactions that follow, before the drain is timed: they rewrite what the producer
     * appended, and are the producer's cost, as a Kafka broker's appends are. Timed with the drain,
     * RocksDB's background threads spent 0.33 s per million records at 10 partitions and 0.75 s at
     * 10,000 (where each partition's 300 new records lie between older records of every file), a
     * fifth to a quarter of all the CPU, and which drain they fell into moved from run to run. The
     * checkpoint store's database is left alone: its work is the connector's. The drain's CPU still
     * shows RocksDB's threads.
     */
    private static void awaitCompacted(Path streamDirectory) throws Exception {
        try (SharedRocksDb shared = SharedRocksDb.open(streamDirectory, false, "the live stream");
                FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
            RocksDB db = shared.db();
            db.flush(flush);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
            while (db.getLongProperty("rocksdb.compaction-pending") > 0
                    || db.getLongProperty("rocksdb.num-running-compactions") > 0
                    || db.getLongProperty("rocksdb.num-running-flushes") > 0) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "The embedded stream's compactions did not finish within 300 s.");
                }
                Thread.sleep(20);
            }
        }
    }

    /**
     * Appends {@code each} records to every partition of {@code topic}, one partition after the
     * other: the producer sends whole batches (record by record over 10,000 partitions, it held a
     * small batch for each and waited for memory).
     */
    private void appendToKafka(String topic, int partitions, long each) {
        try (CheckedProducer producer = new CheckedProducer(producer(true))) {
            long n = 0;
            for (int partition = 0; partition < partitions; partition++) {
                for (long i = 0; i < each; i++) {
                    producer.send(
                            new ProducerRecord<>(
                                    topic,
                                    partition,
                                    System.currentTimeMillis(),
                                    null,
                                    BenchData.payload(n++, settings.payloadBytes())));
                }
            }
        }
    }

    /** A producer for records at a rate, or ({@code bulk}) for many at once. */
    private KafkaProducer<byte[], byte[]> producer(boolean bulk) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infrastructure.kafka());
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.LINGER_MS_CONFIG, bulk ? 20 : 5);
        // A batch buffer is taken per partition with records: at a rate over 10,000 partitions,
        // 16 kB each for a record or two used up the 32 MB and sending waited for memory.
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, bulk ? 64 * 1024 : 1024);
        config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 256L << 20);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(config);
    }

    /**
     * What a live run measured; the steady drains' result is {@link Steady#NONE} with a failure.
     */
    private record Live(long produced, long heapBytes, long connectorHeapBytes, Steady steady) {}

    /**
     * The steady drains' result: the median throughput, the bare Kafka consumer's of the last
     * backlog (NaN from the embedded stream), the median CPU seconds per million records.
     */
    record Steady(
            double recordsPerSecond, double bareRecordsPerSecond, CpuProbe.Cpu cpuPerMillion) {
        static final Steady NONE = new Steady(Double.NaN, Double.NaN, CpuProbe.none());
    }

    /**
     * A live run: every partition takes records in turn at the settings' total rate, stamped when
     * appended; with {@code fail}, the job fails once, {@link #FAIL_AFTER_CHECKPOINT} after a
     * checkpoint completed. Without a failure, the steady throughput follows ({@link #steady}).
     * Returns what it measured; the steady drains only without a failure.
     */
    private Live liveRun(
            Source source, Store store, int partitions, boolean fail, List<String> problems)
            throws Exception {
        Observed.reset(true);
        CountingReporter.resetResent();
        if (!fail) {
            CountingReporter.reset();
        }
        Path runDir = settings.dir().resolve("run-" + ++runs);
        String name = "live" + runs;
        PartitionedStreamFactory stream;
        if (source == Source.EMBEDDED) {
            Path dir = runDir.resolve("live");
            LocalStream.create(dir, name, partitions, WriteDurability.RELAXED).close();
            stream = LocalStream.factory(dir);
        } else {
            infrastructure.createTopic(name, partitions);
            stream = KafkaPartitionedStream.factory(infrastructure.kafka(), name, new Properties());
        }
        StreamExecutionEnvironment env = environment(runDir);
        build(
                env,
                IdempotentSource.builder().stream(stream).partitionDiscoveryInterval(Duration.ZERO),
                store,
                runDir,
                fail ? new InjectedFailure(FAIL_AFTER_CHECKPOINT.toNanos()) : null,
                !fail);
        JobClient job = env.executeAsync("scale live " + partitions);
        long produced;
        long heap = 0;
        long connectorHeap = 0;
        Steady steady = Steady.NONE;
        try {
            BenchData.awaitRunning(job);
            // A record in every partition first, delivered before the timed records: the p99 is
            // of a running job; the start's costs are the first-delivery column.
            Observed.measureLatency(false);
            appendToAll(source, runDir, name, partitions, 1);
            awaitVisible(partitions, Duration.ofSeconds(60));
            Observed.measureLatency(true);
            produced = partitions + produce(source, runDir, name, partitions);
            awaitVisible(produced, Duration.ofSeconds(30));
            if (!fail) {
                // Once all is delivered: the collections it takes would stop the records in
                // flight and count in their latency.
                heap = usedHeap();
                connectorHeap = connectorHeap();
            }
            if (Observed.RECORDS.get() != produced) {
                problems.add(
                        String.format(
                                Locale.ROOT,
                                "live run%s: %,d of %,d visible",
                                fail ? " with a failure" : "",
                                Observed.RECORDS.get(),
                                produced));
            } else if (!fail) {
                steady = steady(source, runDir, name, partitions, produced, problems);
            }
        } finally {
            Gate.open();
            job.cancel().get(120, TimeUnit.SECONDS);
        }
        settle(runDir, source == Source.KAFKA ? name : null);
        return new Live(produced, heap, connectorHeap, steady);
    }

    /**
     * The steady throughput: the running job, every partition taken over and every record so far
     * delivered, is held at a {@link Gate} while a backlog of the settings' steady records is
     * appended (the same number per partition; more than a bounded run's, so that the drain lasts
     * seconds even at 10 partitions); from the gate's opening to the last delivery, records per
     * second, and the process's CPU time per million records, by who spent it ({@link CpuProbe}).
     * The start's one-time costs per partition (Flink's split registration, the takeover, the
     * metrics) are behind it, as in a job that has run for a while. Drained the settings' number of
     * times, each with a backlog of its own: the median counts (one drain's throughput moved by up
     * to a factor of two between runs at 10 partitions).
     */
    private Steady steady(
            Source source,
            Path runDir,
            String name,
            int partitions,
            long produced,
            List<String> problems)
            throws Exception {
        Observed.measureLatency(false); // the backlog waits at the gate on purpose
        long each = Math.max(1, settings.steadyRecords() / partitions);
        long backlog = each * partitions;
        List<Double> rates = new ArrayList<>();
        List<CpuProbe.Cpu> cpus = new ArrayList<>();
        Map<TopicPartition, Long> backlogStarts = Map.of();
        long expected = produced;
        for (int drain = 1; drain <= settings.steadyRepeats(); drain++) {
            if (source == Source.KAFKA) {
                backlogStarts = endOffsets(name, partitions);
            }
            Gate.shut();
            try {
                appendToAll(source, runDir, name, partitions, each);
                if (source == Source.EMBEDDED) {
                    awaitCompacted(runDir.resolve("live"));
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (Gate.held() < Math.min(partitions, settings.parallelism())
                        && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
            } finally {
                Gate.open();
            }
            CpuProbe cpu = new CpuProbe();
            long opened = System.nanoTime();
            expected += backlog;
            awaitVisible(expected, Duration.ofSeconds(300));
            if (Observed.RECORDS.get() != expected) {
                problems.add(
                        String.format(
                                Locale.ROOT,
                                "steady drain %d: %,d of %,d visible",
                                drain,
                                Observed.RECORDS.get() - (expected - backlog),
                                backlog));
                return Steady.NONE;
            }
            cpus.add(cpu.stop().perMillion(backlog));
            rates.add(backlog / ((Observed.LAST_VISIBLE_NANOS.get() - opened) / 1e9));
        }
        double bare =
                source == Source.KAFKA ? bareRead(backlogStarts, backlog, problems) : Double.NaN;
        rates.sort(null);
        return new Steady(rates.get(rates.size() / 2), bare, CpuProbe.Cpu.median(cpus));
    }

    private Map<TopicPartition, Long> endOffsets(String topic, int partitions) {
        List<TopicPartition> all = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            all.add(new TopicPartition(topic, p));
        }
        try (KafkaConsumer<byte[], byte[]> consumer = bareConsumer()) {
            return consumer.endOffsets(all);
        }
    }

    /**
     * What the broker gives one plain consumer of the same backlog (assigned all partitions, read
     * committed, each record deserialized and dropped): the ceiling of any Kafka reader on this
     * machine, measured in the same run as the job's drain.
     */
    private double bareRead(Map<TopicPartition, Long> from, long backlog, List<String> problems) {
        try (KafkaConsumer<byte[], byte[]> consumer = bareConsumer()) {
            consumer.assign(from.keySet());
            from.forEach(consumer::seek);
            long read = 0;
            long started = System.nanoTime();
            long deadline = started + TimeUnit.SECONDS.toNanos(300);
            while (read < backlog && System.nanoTime() < deadline) {
                read += consumer.poll(Duration.ofMillis(200)).count();
            }
            if (read < backlog) {
                problems.add(
                        String.format(Locale.ROOT, "bare read: %,d of %,d records", read, backlog));
                return Double.NaN;
            }
            return backlog / ((System.nanoTime() - started) / 1e9);
        }
    }

    private KafkaConsumer<byte[], byte[]> bareConsumer() {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infrastructure.kafka());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return new KafkaConsumer<>(config);
    }

    /** Appends at the total rate, round-robin over the partitions; returns how many. */
    private long produce(Source source, Path runDir, String name, int partitions) throws Exception {
        int ticksPerSecond = 100;
        int perTick = Math.max(1, settings.liveRate() / ticksPerSecond);
        long ticks = settings.liveDuration().toSeconds() * ticksPerSecond;
        long produced = 0;
        int next = 0;
        LocalStream local =
                source == Source.EMBEDDED
                        ? LocalStream.open(runDir.resolve("live"), WriteDurability.RELAXED)
                        : null;
        CheckedProducer kafka =
                source == Source.KAFKA ? new CheckedProducer(producer(false)) : null;
        try {
            List<String> names = local == null ? null : local.partitions();
            long started = System.nanoTime();
            for (long tick = 0; tick < ticks; tick++) {
                long due = started + tick * TimeUnit.SECONDS.toNanos(1) / ticksPerSecond;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                long now = System.currentTimeMillis();
                for (int i = 0; i < perTick; i++) {
                    byte[] payload = BenchData.payload(produced++, settings.payloadBytes());
                    if (local != null) {
                        local.appendAll(
                                names.get(next), List.of(LocalStream.NewRecord.of(payload, now)));
                    } else {
                        kafka.send(new ProducerRecord<>(name, next, now, null, payload));
                    }
                    next = (next + 1) % partitions;
                }
            }
        } finally {
            if (local != null) {
                local.close();
            }
            if (kafka != null) {
                kafka.close();
            }
        }
        return produced;
    }

    /**
     * A producer that checks every acknowledgement: a record the topic did not take fails the run
     * when the producer closes, instead of being counted as produced and then missed.
     */
    private static final class CheckedProducer implements AutoCloseable {
        private final KafkaProducer<byte[], byte[]> producer;
        private final java.util.concurrent.atomic.AtomicReference<Exception> failed =
                new java.util.concurrent.atomic.AtomicReference<>();

        CheckedProducer(KafkaProducer<byte[], byte[]> producer) {
            this.producer = producer;
        }

        void send(ProducerRecord<byte[], byte[]> record) {
            producer.send(
                    record,
                    (metadata, error) -> {
                        if (error != null) {
                            failed.compareAndSet(null, error);
                        }
                    });
        }

        @Override
        public void close() {
            producer.flush();
            producer.close();
            if (failed.get() != null) {
                throw new IllegalStateException(
                        "The benchmark's producer lost records: " + failed.get(), failed.get());
            }
        }
    }

    /**
     * The bytes of this library's own objects on the heap (classes of {@code io.idempotent.flink},
     * the benchmark's own left out), from the JVM's class histogram, taken in process.
     */
    private static long connectorHeap() {
        long bytes = 0;
        List<String> largest = new ArrayList<>();
        for (ClassHistogram.Entry entry : ClassHistogram.live()) {
            String name = entry.className();
            if (name.startsWith("io.idempotent.flink.")
                    && !name.startsWith("io.idempotent.flink.examples.")) {
                bytes += entry.bytes();
                if (largest.size() < 8) {
                    largest.add(name + " " + entry.instances() + " x, " + entry.bytes() + " B");
                }
            }
        }
        lastHistogram = largest;
        return bytes;
    }

    /** The library's largest classes on the heap at the last live run (most bytes first). */
    private static List<String> lastHistogram = List.of();

    /**
     * The heap in use after collections, with finalization between them (see {@link
     * ClassHistogram#live}: at 10,000 partitions, two collections in a row still counted the
     * bounded run's 10,000 feeds and reader metrics with the live run's).
     */
    private static long usedHeap() {
        System.gc();
        System.runFinalization();
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private StreamExecutionEnvironment environment(Path runDir) {
        Configuration conf = new Configuration();
        conf.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                runDir.resolve("flink-checkpoints").toUri().toString());
        CountingReporter.configure(conf);
        settings.flinkConfiguration().forEach(conf::setString);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(conf);
        env.setParallelism(settings.parallelism());
        env.enableCheckpointing(settings.checkpointInterval().toMillis());
        return env;
    }

    private void build(
            StreamExecutionEnvironment env,
            IdempotentSourceBuilder source,
            Store store,
            Path runDir,
            @Nullable InjectedFailure failure,
            boolean gated) {
        CheckpointStoreFactory stores = store(store, runDir);
        source.checkpointStore(stores).perPartitionMetrics(settings.perPartitionMetrics());
        LineJob job = LineJob.read(env, source);
        if (gated) {
            job.through(new Gate());
        }
        if (failure != null) {
            job.through(failure);
        }
        job.lines()
                .sinkTo(
                        IdempotentSink.<String>builder()
                                .name("scale")
                                .perPartitionMetrics(settings.perPartitionMetrics())
                                .destination(Observed.around(destination(runDir)))
                                .checkpointStore(Observed.around(stores))
                                .build());
    }

    private DestinationFactory<String> destination(Path runDir) {
        MemoryLedgerDestination.clear();
        return settings.destination() == Destination.MEMORY
                ? MemoryLedgerDestination.factory()
                : FileDestination.factory(
                        runDir.resolve("out"), line -> line.getBytes(StandardCharsets.UTF_8));
    }

    private CheckpointStoreFactory store(Store store, Path runDir) {
        if (store == Store.ROCKSDB) {
            return RocksDbCheckpointStore.factory(runDir.resolve("store"), WriteDurability.SYNCED);
        }
        return PostgresCheckpointStore.builder()
                .url(infrastructure.postgres())
                .table("scale_checkpoints_" + runs)
                .buildFactory();
    }

    /** The enumerator's state once every partition is assigned, as a checkpoint holds it. */
    private static long enumeratorStateBytes(int partitions) throws IOException {
        Set<String> discovered = new HashSet<>();
        for (int p = 0; p < partitions; p++) {
            discovered.add(Integer.toString(p));
        }
        return new EnumeratorStateSerializer()
                .serialize(new EnumeratorState(discovered, List.of()))
                .length;
    }

    /** The readers' split state, all partitions, as a checkpoint holds it (a position each). */
    private static long splitStateBytes(int partitions) throws IOException {
        PartitionSplitSerializer serializer = new PartitionSplitSerializer();
        long bytes = 0;
        for (int p = 0; p < partitions; p++) {
            bytes +=
                    serializer.serialize(
                                    new PartitionSplit(
                                            new StreamPartition(
                                                    "scale@0123456789abcdef", Integer.toString(p)),
                                            123_456_789L,
                                            PartitionSplit.UNBOUNDED,
                                            null))
                            .length;
        }
        return bytes;
    }

    /** Leaves the machine as the next run should find it; a run's Kafka topic is deleted. */
    private void settle(Path runDir, @Nullable String topic) throws Exception {
        if (topic != null) {
            infrastructure.deleteTopic(topic);
        }
        try {
            FileUtils.deleteDirectory(runDir.toFile());
        } catch (IOException e) {
            // A cancelled job may still be closing its store; the directory stays.
        }
        new ProcessBuilder("sync").inheritIO().start().waitFor();
        System.gc();
        Thread.sleep(500);
    }

    private static String line(Result r) {
        return String.format(
                Locale.ROOT,
                "%-8s %-8s %,6d partitions: first delivery %6.2f s, %,9.0f records/s"
                        + " (%,.0f from the first delivery on; steady %,.0f, CPU %.2f s per million"
                        + " records: %s; a bare Kafka consumer %,.0f),"
                        + " acquisitions %,d writes for %,d partitions, %.2f writes per delivery"
                        + " (%.1f ms, %.1f rows each), enumerator state %,d B, split state %,d B,"
                        + " metric series %,d (%,d per partition), p99 %,d ms, heap %,d MB (the"
                        + " library's objects %,d kB),"
                        + " recovery %.2f s%s",
                r.source().name().toLowerCase(Locale.ROOT),
                r.store().name().toLowerCase(Locale.ROOT),
                r.partitions(),
                r.speed().firstDeliverySeconds(),
                r.speed().recordsPerSecond(),
                r.speed().deliveringRecordsPerSecond(),
                r.speed().steadyRecordsPerSecond(),
                r.speed().steadyCpuPerMillion().process(),
                r.speed().steadyCpuPerMillion().describe(),
                r.speed().bareReadRecordsPerSecond(),
                r.writes().acquisitionWrites(),
                r.writes().acquiredPartitions(),
                r.writes().writesPerDelivery(),
                r.writes().writeMillis(),
                r.writes().rowsPerWrite(),
                r.footprint().enumeratorStateBytes(),
                r.footprint().splitStateBytes(),
                r.footprint().metricSeries(),
                r.footprint().partitionMetricSeries(),
                r.latency().p99Millis(),
                r.footprint().heapBytes() >> 20,
                r.footprint().connectorHeapBytes() >> 10,
                r.latency().recoverySeconds(),
                r.problems().isEmpty() ? "" : " (!) " + r.problems());
    }

    private void report(List<Result> results) {
        out.println();
        out.printf(
                "%-8s %-8s %7s %8s %10s %10s %10s %8s %10s %9s %8s %7s %7s %7s %9s %9s %8s %7s"
                        + " %8s %9s%n",
                "stream",
                "store",
                "parts",
                "first s",
                "rec/s",
                "dlv rec/s",
                "stdy rec/s",
                "cpu s/M",
                "bare rec/s",
                "acq wr",
                "wr/dlv",
                "wr ms",
                "rows",
                "enum B",
                "split B",
                "series",
                "per-p",
                "p99 ms",
                "heap MB",
                "recov s");
        for (Result r : results) {
            out.printf(
                    Locale.ROOT,
                    "%-8s %-8s %,7d %8.2f %,10.0f %,10.0f %,10.0f %8.2f %,10.0f %9s %8.2f %7.1f"
                            + " %7.1f %,7d"
                            + " %,9d %,9d %,8d %,7d %,8d %9.2f%s%n",
                    r.source().name().toLowerCase(Locale.ROOT),
                    r.store().name().toLowerCase(Locale.ROOT),
                    r.partitions(),
                    r.speed().firstDeliverySeconds(),
                    r.speed().recordsPerSecond(),
                    r.speed().deliveringRecordsPerSecond(),
                    r.speed().steadyRecordsPerSecond(),
                    r.speed().steadyCpuPerMillion().process(),
                    r.speed().bareReadRecordsPerSecond(),
                    r.writes().acquisitionWrites() + "/" + r.writes().acquiredPartitions(),
                    r.writes().writesPerDelivery(),
                    r.writes().writeMillis(),
                    r.writes().rowsPerWrite(),
                    r.footprint().enumeratorStateBytes(),
                    r.footprint().splitStateBytes(),
                    r.footprint().metricSeries(),
                    r.footprint().partitionMetricSeries(),
                    r.latency().p99Millis(),
                    r.footprint().heapBytes() >> 20,
                    r.latency().recoverySeconds(),
                    r.problems().isEmpty() ? "" : "  (!) " + r.problems());
        }
        for (Source source : settings.sources()) {
            for (Store store : settings.stores()) {
                List<Result> curve =
                        results.stream()
                                .filter(r -> r.source() == source && r.store() == store)
                                .toList();
                if (curve.size() < 2) {
                    continue;
                }
                Result smallest = curve.get(0);
                Result largest = curve.get(curve.size() - 1);
                String what =
                        source.name().toLowerCase(Locale.ROOT)
                                + " "
                                + store.name().toLowerCase(Locale.ROOT);
                out.printf(
                        Locale.ROOT,
                        "ratio throughput @%d/@%d partitions, %s = %.2f steady (a running job"
                                + " drains a backlog; CPU per record @%d/@%d = %.2f); bounded:"
                                + " %.2f (submit to last delivery), %.2f (first to last"
                                + " delivery)%n",
                        largest.partitions(),
                        smallest.partitions(),
                        what,
                        largest.speed().steadyRecordsPerSecond()
                                / smallest.speed().steadyRecordsPerSecond(),
                        largest.partitions(),
                        smallest.partitions(),
                        largest.speed().steadyCpuPerMillion().process()
                                / smallest.speed().steadyCpuPerMillion().process(),
                        largest.speed().recordsPerSecond() / smallest.speed().recordsPerSecond(),
                        largest.speed().deliveringRecordsPerSecond()
                                / smallest.speed().deliveringRecordsPerSecond());
                if (settings.rounds() > 1) {
                    List<String> bySize = new ArrayList<>();
                    for (Result r : curve) {
                        bySize.add(
                                "@"
                                        + r.partitions()
                                        + " "
                                        + joined(r.speed().steadyRounds(), "%,.0f"));
                    }
                    List<Double> ratios = new ArrayList<>();
                    for (int round = 0;
                            round < largest.speed().steadyRounds().size()
                                    && round < smallest.speed().steadyRounds().size();
                            round++) {
                        ratios.add(
                                largest.speed().steadyRounds().get(round)
                                        / smallest.speed().steadyRounds().get(round));
                    }
                    out.printf(
                            Locale.ROOT,
                            "steady by round (records/s; the best counts), %s: %s; the ratio"
                                    + " @%d/@%d within each round: %s%n",
                            what,
                            String.join("; ", bySize),
                            largest.partitions(),
                            smallest.partitions(),
                            joined(ratios, "%.2f"));
                }
                if (source == Source.KAFKA) {
                    out.printf(
                            Locale.ROOT,
                            "steady against a bare Kafka consumer of the same backlog, %s = %.2f"
                                    + " @%d, %.2f @%d partitions; the bare consumer @%d/@%d ="
                                    + " %.2f%n",
                            what,
                            largest.speed().steadyRecordsPerSecond()
                                    / largest.speed().bareReadRecordsPerSecond(),
                            largest.partitions(),
                            smallest.speed().steadyRecordsPerSecond()
                                    / smallest.speed().bareReadRecordsPerSecond(),
                            smallest.partitions(),
                            largest.partitions(),
                            smallest.partitions(),
                            largest.speed().bareReadRecordsPerSecond()
                                    / smallest.speed().bareReadRecordsPerSecond());
                }
                out.printf(
                        Locale.ROOT,
                        "store writes per delivery @%d partitions, %s = %.2f; acquisitions: %d"
                                + " writes for %,d partitions%n",
                        largest.partitions(),
                        what,
                        largest.writes().writesPerDelivery(),
                        largest.writes().acquisitionWrites(),
                        largest.writes().acquiredPartitions());
                out.printf(
                        Locale.ROOT,
                        "recovery @%d partitions, %s = %.2f s%n",
                        largest.partitions(),
                        what,
                        largest.latency().recoverySeconds());
                if (largest.partitions() > smallest.partitions()) {
                    double extra = largest.partitions() - smallest.partitions();
                    out.printf(
                            Locale.ROOT,
                            "per partition, %s: heap %.0f B (the library's objects %.0f B),"
                                    + " enumerator state %.1f B, split state %.1f B, metric"
                                    + " series %.1f%n",
                            what,
                            (largest.footprint().heapBytes() - smallest.footprint().heapBytes())
                                    / extra,
                            (largest.footprint().connectorHeapBytes()
                                            - smallest.footprint().connectorHeapBytes())
                                    / extra,
                            (largest.footprint().enumeratorStateBytes()
                                            - smallest.footprint().enumeratorStateBytes())
                                    / extra,
                            (largest.footprint().splitStateBytes()
                                            - smallest.footprint().splitStateBytes())
                                    / extra,
                            (largest.footprint().metricSeries()
                                            - smallest.footprint().metricSeries())
                                    / extra);
                }
            }
        }
    }
}
