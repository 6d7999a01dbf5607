package io.idempotent.flink.campaign;

import io.idempotent.flink.bench.LineJob;
import io.idempotent.flink.checkpoint.CheckpointStoreFactory;
import io.idempotent.flink.checkpoint.rocksdb.RocksDbCheckpointStore;
import io.idempotent.flink.destination.DestinationFactory;
import io.idempotent.flink.destination.file.FileDestination;
import io.idempotent.flink.destination.http.HttpDestination;
import io.idempotent.flink.destination.jdbc.JdbcDestination;
import io.idempotent.flink.sink.IdempotentSink;
import io.idempotent.flink.source.IdempotentSource;
import io.idempotent.flink.storage.WriteDurability;
import io.idempotent.flink.stream.PartitionedStreamFactory;
import io.idempotent.flink.stream.kafka.KafkaPartitionedStream;
import io.idempotent.flink.stream.local.LocalStream;
import io.idempotent.flink.testutils.ExactlyOnceVerifier;
import io.idempotent.flink.testutils.IdempotentHttpServer;
import io.idempotent.flink.testutils.KafkaBroker;
import io.idempotent.flink.testutils.PostgresServer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The seeded fault campaign (issue 12): every combination of delivery mode, destination (files,
 * PostgreSQL, HTTP) and stream (embedded, Kafka) runs as one job on a local cluster in this JVM,
 * with faults of every kind that applies ({@link FaultKind}) drawn from the seed, and an
 * independent verifier that reads what the destination holds (the files, the table, the HTTP
 * server's applied lines) and counts records lost, duplicated and out of order per partition. The
 * same seed replays the same faults, in the same order, at the same event counts.
 */
public final class FaultCampaign {

    /** What a campaign runs: records and faults in all, spread evenly over the cells. */
    public record Settings(
            long seed,
            long records,
            int faults,
            int partitions,
            int parallelism,
            Duration checkpointInterval,
            Path dir) {}

    /** What one cell did and what its destination holds. */
    record CellResult(
            CampaignCell cell,
            long records,
            Map<FaultKind, Integer> fired,
            long processed,
            long sends,
            long repeats,
            double seconds,
            ExactlyOnceVerifier.Result result,
            String error) {

        int faults() {
            return fired.values().stream().mapToInt(Integer::intValue).sum();
        }

        boolean exactlyOnce() {
            return error == null && result.exactlyOnce();
        }
    }

    private static final String SINK = "campaign";

    /**
     * Small batches and fetches, so that a cell has many sends, store writes and barriers for the
     * faults to strike, not one batch per partition.
     */
    private static final int BATCH_MAX_RECORDS = 100;

    private static final int MAX_RECORDS_PER_FETCH = 50;

    private FaultCampaign() {}

    /** Runs every cell; returns whether each ended exactly once. */
    public static boolean run(Settings settings, PrintStream out) throws Exception {
        List<CampaignCell> cells = CampaignCell.all();
        startKafkaQuietly();
        // Rounded up: at least the records asked for.
        long shares = (long) cells.size() * settings.partitions();
        long perPartition = Math.max(1, (settings.records() + shares - 1) / shares);
        int faultsPerCell = (settings.faults() + cells.size() - 1) / cells.size();
        out.printf(
                "Fault campaign, seed %d (--seed %d replays it): %d cells x %,d records (%d"
                        + " partitions x %,d), %d faults each, checkpoints every %s%n",
                settings.seed(),
                settings.seed(),
                cells.size(),
                perPartition * settings.partitions(),
                settings.partitions(),
                perPartition,
                faultsPerCell,
                settings.checkpointInterval());
        out.printf(
                "%-22s %10s %7s %11s %8s %8s %7s %6s %10s %12s%n",
                "cell (mode dest stream)",
                "records",
                "faults",
                "re-read",
                "sends",
                "repeats",
                "lost",
                "dup",
                "disorder",
                "wall time");
        List<CellResult> results = new ArrayList<>();
        long started = System.nanoTime();
        for (int index = 0; index < cells.size(); index++) {
            CellResult result =
                    runCell(settings, cells.get(index), index, perPartition, faultsPerCell);
            results.add(result);
            ExactlyOnceVerifier.Result r = result.result();
            out.printf(
                    "%-22s %,10d %7d %,11d %,8d %,8d %7d %6d %10d %10.1f s%s%n",
                    result.cell().label(),
                    result.records(),
                    result.faults(),
                    Math.max(0, result.processed() - result.records()),
                    result.sends(),
                    result.repeats(),
                    r.lost(),
                    r.duplicated(),
                    r.outOfOrder(),
                    result.seconds(),
                    result.error() == null ? "" : "  FAILED: " + result.error());
        }
        summarize(results, (System.nanoTime() - started) / 1e9, out);
        return results.stream().allMatch(CellResult::exactlyOnce);
    }

    private static void summarize(List<CellResult> results, double seconds, PrintStream out) {
        Map<FaultKind, Integer> byKind = new EnumMap<>(FaultKind.class);
        long records = 0;
        long lost = 0;
        long duplicated = 0;
        long outOfOrder = 0;
        long repeats = 0;
        for (CellResult result : results) {
            result.fired().forEach((kind, n) -> byKind.merge(kind, n, Integer::sum));
            records += result.records();
            lost += result.result().lost();
            duplicated += result.result().duplicated();
            outOfOrder += result.result().outOfOrder();
            repeats += result.repeats();
        }
        out.println();
        out.println("Faults injected, by kind:");
        int faults = 0;
        for (FaultKind kind : FaultKind.values()) {
            int n = byKind.getOrDefault(kind, 0);
            faults += n;
            out.printf("  %-18s %6d  %s%n", kind, n, kind.description);
        }
        out.printf(
                "Total: %,d faults over %,d records in %d cells; %,d repeats dropped by the"
                        + " destinations; lost %d, duplicated %d, out of order %d; %.0f s%n",
                faults, records, results.size(), repeats, lost, duplicated, outOfOrder, seconds);
        boolean ok = results.stream().allMatch(CellResult::exactlyOnce);
        out.println(
                ok
                        ? "EXACTLY ONCE in every cell."
                        : "NOT EXACTLY ONCE in every cell: see the table above.");
    }

    private static CellResult runCell(
            Settings settings, CampaignCell cell, int index, long perPartition, int faults)
            throws Exception {
        Path dir = settings.dir().resolve("cell-" + index);
        Files.createDirectories(dir);
        String name = "campaign_" + Long.toHexString(settings.seed() & 0xffffffL) + "_" + index;
        PartitionedStreamFactory stream = fillStream(cell, dir, name, settings, perPartition);
        Holdings holdings = destination(cell, dir, name);
        CheckpointStoreFactory store =
                RocksDbCheckpointStore.factory(dir.resolve("store"), WriteDurability.SYNCED);

        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, faults * 3 + 10);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(20));
        conf.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                dir.resolve("flink-checkpoints").toUri().toString());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(conf);
        env.setParallelism(settings.parallelism());
        env.enableCheckpointing(settings.checkpointInterval().toMillis());
        LineJob.read(
                        env,
                        IdempotentSource.builder().stream(stream)
                                .maxRecordsPerFetch(MAX_RECORDS_PER_FETCH)
                                .checkpointStore(store)
                                .bounded())
                .lines(new Injected.Processing())
                .sinkTo(
                        IdempotentSink.<String>builder()
                                .name(SINK)
                                .deliveryMode(cell.mode())
                                .batchMaxRecords(BATCH_MAX_RECORDS)
                                .destination(Injected.around(holdings.factory()))
                                .checkpointStore(Injected.around(store))
                                .build());

        long records = perPartition * settings.partitions();
        Injected.reset();
        FaultSchedule.start(
                new Random(settings.seed() * 31 + index),
                cell.kinds(),
                faults,
                Math.max(1, records / (faults + 1)));
        long started = System.nanoTime();
        String error = null;
        try {
            env.execute("fault-campaign-" + index);
        } catch (Exception e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            error = root.toString();
        } finally {
            FaultSchedule.stop();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        Map<String, List<Long>> expected = new TreeMap<>();
        for (int p = 0; p < settings.partitions(); p++) {
            expected.put(Integer.toString(p), LongStream.range(0, perPartition).boxed().toList());
        }
        ExactlyOnceVerifier.Result result =
                ExactlyOnceVerifier.verify(
                        expected, ExactlyOnceVerifier.origins(holdings.originsInOrder()));
        holdings.close();
        return new CellResult(
                cell,
                records,
                FaultSchedule.fired(),
                Injected.PROCESSED.get(),
                Injected.SENDS.get(),
                Injected.REPEATS.get(),
                seconds,
                result,
                error);
    }

    private static PartitionedStreamFactory fillStream(
            CampaignCell cell, Path dir, String name, Settings settings, long perPartition)
            throws Exception {
        if (cell.stream() == CampaignCell.Stream.LOCAL) {
            Path streamDir = dir.resolve("stream");
            try (LocalStream local = LocalStream.create(streamDir, name, settings.partitions())) {
                for (String partition : local.partitions()) {
                    List<LocalStream.NewRecord> chunk = new ArrayList<>();
                    for (long n = 0; n < perPartition; n++) {
                        chunk.add(LocalStream.NewRecord.of(payload(n), System.currentTimeMillis()));
                        if (chunk.size() == 10_000 || n == perPartition - 1) {
                            local.appendAll(partition, chunk);
                            chunk.clear();
                        }
                    }
                }
            }
            return LocalStream.factory(streamDir);
        }
        KafkaBroker.createTopic(name, settings.partitions());
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.bootstrapServers());
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config)) {
            for (int p = 0; p < settings.partitions(); p++) {
                List<Future<RecordMetadata>> sent = new ArrayList<>();
                for (long n = 0; n < perPartition; n++) {
                    sent.add(producer.send(new ProducerRecord<>(name, p, null, payload(n))));
                }
                producer.flush();
                for (Future<RecordMetadata> record : sent) {
                    record.get(); // what the verifier expects is what the topic holds
                }
            }
        }
        return KafkaPartitionedStream.factory(
                KafkaBroker.bootstrapServers(), name, new Properties());
    }

    /** The in-process broker prints its formatting to standard output when it starts. */
    private static void startKafkaQuietly() {
        PrintStream out = System.out;
        System.setOut(new PrintStream(java.io.OutputStream.nullOutputStream()));
        try {
            KafkaBroker.bootstrapServers();
        } finally {
            System.setOut(out);
        }
    }

    private static byte[] payload(long n) {
        return ("record-" + n).getBytes(StandardCharsets.UTF_8);
    }

    /** A destination and how to read, without the library, what it holds, in its order. */
    private interface Holdings extends AutoCloseable {
        DestinationFactory<String> factory();

        /** The {@code "<partition>:<sequence>"} of every line held, in the destination's order. */
        List<String> originsInOrder() throws Exception;

        @Override
        default void close() {}
    }

    private static Holdings destination(CampaignCell cell, Path dir, String name)
            throws IOException {
        switch (cell.destination()) {
            case FILES:
                Path out = dir.resolve("out");
                return new Holdings() {
                    @Override
                    public DestinationFactory<String> factory() {
                        return FileDestination.factory(
                                out, line -> line.getBytes(StandardCharsets.UTF_8));
                    }

                    @Override
                    public List<String> originsInOrder() throws IOException {
                        return fileOrigins(out);
                    }
                };
            case POSTGRES:
                String url = PostgresServer.jdbcUrl();
                sql(
                        url,
                        "CREATE TABLE "
                                + name
                                + " (arrival BIGSERIAL PRIMARY KEY, line TEXT NOT NULL)");
                return new Holdings() {
                    @Override
                    public DestinationFactory<String> factory() {
                        return JdbcDestination.<String>builder()
                                .url(url)
                                .insert("INSERT INTO " + name + " (line) VALUES (?)")
                                .binder((statement, line) -> statement.setString(1, line))
                                .ledgerTable(name + "_ledger")
                                .buildFactory();
                    }

                    @Override
                    public List<String> originsInOrder() throws SQLException {
                        List<String> origins = new ArrayList<>();
                        try (Connection connection = DriverManager.getConnection(url);
                                Statement statement = connection.createStatement();
                                ResultSet rows =
                                        statement.executeQuery(
                                                "SELECT line FROM " + name + " ORDER BY arrival")) {
                            while (rows.next()) {
                                origins.add(rows.getString(1));
                            }
                        }
                        return origins;
                    }
                };
            case HTTP:
            default:
                IdempotentHttpServer server = new IdempotentHttpServer(true);
                Injected.http = server;
                return new Holdings() {
                    @Override
                    public DestinationFactory<String> factory() {
                        return HttpDestination.<String>builder()
                                .url(server.url())
                                .encoder(line -> line.getBytes(StandardCharsets.UTF_8))
                                .requestTimeout(Duration.ofSeconds(1))
                                .maxAttempts(5)
                                .backoff(Duration.ofMillis(20), Duration.ofMillis(200))
                                .buildFactory();
                    }

                    @Override
                    public List<String> originsInOrder() {
                        return server.applied();
                    }

                    @Override
                    public void close() {
                        server.close();
                        Injected.http = null;
                    }
                };
        }
    }

    /** Every batch file's lines: per partition directory, the files in sequence order. */
    private static List<String> fileOrigins(Path out) throws IOException {
        if (!Files.isDirectory(out)) {
            return List.of();
        }
        Map<Path, List<Path>> byPartition = new TreeMap<>();
        try (Stream<Path> files = Files.walk(out)) {
            files.filter(f -> f.getFileName().toString().endsWith(".batch"))
                    .forEach(
                            f ->
                                    byPartition
                                            .computeIfAbsent(f.getParent(), d -> new ArrayList<>())
                                            .add(f));
        }
        List<String> origins = new ArrayList<>();
        for (List<Path> files : byPartition.values()) {
            files.sort(Comparator.comparingLong(FaultCampaign::firstSequence));
            for (Path file : files) {
                for (String line : Files.readAllLines(file)) {
                    origins.add(line);
                }
            }
        }
        return origins;
    }

    private static long firstSequence(Path file) {
        String name = file.getFileName().toString();
        return Long.parseLong(name.substring(0, name.indexOf('-')));
    }

    private static void sql(String url, String statementText) {
        try (Connection connection = DriverManager.getConnection(url);
                Statement statement = connection.createStatement()) {
            statement.execute(statementText);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot run " + statementText, e);
        }
    }
}
