package io.idempotent.flink.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.idempotent.flink.stream.local.LocalStream;
import io.idempotent.flink.testutils.ExactlyOnceVerifier;
import io.idempotent.flink.testutils.ExactlyOnceVerifier.Origin;
import io.idempotent.flink.testutils.IdempotentHttpServer;
import io.idempotent.flink.testutils.KafkaBroker;
import io.idempotent.flink.testutils.PostgresServer;
import io.idempotent.flink.testutils.Traces;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.functions.ScalarFunction;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code INSERT INTO … SELECT …} from an embedded stream into each bundled destination on a
 * MiniCluster, with the job failing once half way; then an independent read of what the destination
 * holds: every source record once, with its values and its origin metadata. Proves design.md row
 * F9.
 */
class IdempotentTableITCase {

    private static final int PARTITIONS = 4;
    private static final int RECORDS = 400;

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    () -> {
                        Configuration conf = new Configuration();
                        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
                        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
                        conf.set(
                                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY,
                                Duration.ofMillis(50));
                        return new MiniClusterResourceConfiguration.Builder()
                                .setConfiguration(conf)
                                .setNumberTaskManagers(1)
                                .setNumberSlotsPerTaskManager(2)
                                .build();
                    });

    private static IdempotentHttpServer http;

    @TempDir Path dir;
    private StreamExecutionEnvironment env;
    private StreamTableEnvironment tables;

    @BeforeAll
    static void startHttp() throws IOException {
        http = new IdempotentHttpServer();
    }

    @AfterAll
    static void stopHttp() {
        http.close();
    }

    /** The stream's name as the source gives it: {@code orders@<creation id>}. */
    private static String streamName;

    @BeforeEach
    void createStreamAndSourceTable() {
        Path stream = dir.resolve("stream");
        try (LocalStream orders = LocalStream.create(stream, "orders", PARTITIONS)) {
            streamName = orders.qualifiedName();
            for (String partition : orders.partitions()) {
                List<LocalStream.NewRecord> records = new ArrayList<>();
                for (int i = 0; i < RECORDS; i++) {
                    String json =
                            String.format(
                                    "{\"id\": %d, \"item\": \"item-%d\", \"amount\": %d.25}",
                                    id(partition, i), i, i);
                    records.add(LocalStream.NewRecord.of(json.getBytes(StandardCharsets.UTF_8), i));
                }
                orders.appendAll(partition, records);
            }
        }
        env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.enableCheckpointing(50);
        tables = StreamTableEnvironment.create(env);
        tables.createTemporarySystemFunction("fail_once", FailOnce.class);
        tables.executeSql(
                "CREATE TABLE orders ("
                        + " id BIGINT, item STRING, amount DECIMAL(10, 2),"
                        + " part STRING METADATA FROM 'partition' VIRTUAL,"
                        + " seq BIGINT METADATA FROM 'sequence' VIRTUAL,"
                        + " `stream` STRING METADATA VIRTUAL"
                        + ") WITH ("
                        + " 'connector' = 'idempotent', 'stream' = 'local',"
                        + " 'stream.local.path' = '"
                        + stream
                        + "', 'format' = 'json', 'scan.bounded' = 'true',"
                        + " 'scan.max-records-per-fetch' = '20',"
                        + " 'scan.partition-discovery.interval' = '0 s')");
    }

    @Test
    void insertsIntoFilesExactlyOnceDespiteAFailure() throws Exception {
        Path out = dir.resolve("out");
        tables.executeSql(
                "CREATE TABLE delivered (id BIGINT, item STRING, amount DECIMAL(10, 2),"
                        + " part STRING, seq BIGINT, src STRING) WITH ("
                        + " 'connector' = 'idempotent', 'destination' = 'file',"
                        + " 'destination.file.path' = '"
                        + out
                        + "', 'format' = 'csv')");
        insertWithOneFailure();

        assertDeliveredOnce(rowsIn(batchFiles(out)));
    }

    /**
     * Origin identities in SQL (design.md row F23): the source table and the sink table share a
     * checkpoint store and the query carries the source's {@code origin} column into the sink's.
     * Checkpoints are 10 s apart, longer than the job runs, so every batch file but the last of
     * each attempt was delivered eagerly, between barriers; the job fails once half way and
     * restarts from no checkpoint, resuming from the store. (A finished job waits for the next
     * periodic checkpoint, hence not a minute.)
     */
    @Test
    void insertsWithOriginIdentitiesEagerlyExactlyOnceDespiteAFailure() throws Exception {
        Path store = dir.resolve("store");
        String withStore =
                "'checkpoint-store' = 'rocksdb', 'checkpoint-store.rocksdb.path' = '" + store + "'";
        tables.executeSql(
                "CREATE TABLE traced_orders ("
                        + " id BIGINT, item STRING, amount DECIMAL(10, 2),"
                        + " part STRING METADATA FROM 'partition' VIRTUAL,"
                        + " seq BIGINT METADATA FROM 'sequence' VIRTUAL,"
                        + " `stream` STRING METADATA VIRTUAL,"
                        + " origin BYTES METADATA VIRTUAL"
                        + ") WITH ("
                        + " 'connector' = 'idempotent', 'stream' = 'local',"
                        + " 'stream.local.path' = '"
                        + dir.resolve("stream")
                        + "', 'format' = 'json', 'scan.bounded' = 'true',"
                        + " 'scan.max-records-per-fetch' = '20',"
                        + " 'scan.partition-discovery.interval' = '0 s', "
                        + withStore
                        + ")");
        Path out = dir.resolve("out");
        tables.executeSql(
                "CREATE TABLE delivered (id BIGINT, item STRING, amount DECIMAL(10, 2),"
                        + " part STRING, seq BIGINT, src STRING, origin BYTES METADATA) WITH ("
                        + " 'connector' = 'idempotent', 'destination' = 'file',"
                        + " 'destination.file.path' = '"
                        + out
                        + "', 'format' = 'csv', 'sink.batch.max-delay' = '5 ms', 'sink.batch.max-records' = '100000', "
                        + withStore
                        + ")");
        env.enableCheckpointing(10_000);
        FailOnce.arm(PARTITIONS * RECORDS / 2);
        tables.executeSql(
                        "INSERT INTO delivered SELECT id, item, amount, part, seq, `stream`,"
                                + " origin FROM traced_orders WHERE fail_once(seq)")
                .await();
        assertThat(FailOnce.FIRED.get()).as("the injected failure fired").isEqualTo(1);

        List<Path> batches = batchFiles(out);
        assertDeliveredOnce(rowsIn(batches));
        // At barriers, with no checkpoint before the job ends, each partition gets at most two
        // batches per attempt (a replay and the rest, at the end of input): 16 here. Seen: 6-9
        // in barrier mode, 53-58 eagerly.
        assertThat(batches)
                .as("batches delivered between barriers")
                .hasSizeGreaterThan(4 * PARTITIONS);
    }

    /** A sink table with a checkpoint store and no origin column is refused at planning. */
    @Test
    void aSinkTableWithAStoreButNoOriginIsRefused() {
        tables.executeSql(
                "CREATE TABLE delivered (id BIGINT) WITH ("
                        + " 'connector' = 'idempotent', 'destination' = 'file',"
                        + " 'destination.file.path' = '"
                        + dir.resolve("out")
                        + "', 'format' = 'csv', 'checkpoint-store' = 'rocksdb',"
                        + " 'checkpoint-store.rocksdb.path' = '"
                        + dir.resolve("store")
                        + "')");
        assertThatThrownBy(() -> tables.executeSql("INSERT INTO delivered SELECT id FROM orders"))
                .hasStackTraceContaining("has a 'checkpoint-store' but the query writes no origin");
    }

    @Test
    void insertsIntoPostgresExactlyOnceDespiteAFailure() throws Exception {
        String table = PostgresServer.uniqueTable("sql_delivered");
        try (Connection connection = DriverManager.getConnection(PostgresServer.jdbcUrl());
                Statement statement = connection.createStatement()) {
            statement.execute(
                    "CREATE TABLE "
                            + table
                            + " (id BIGINT, item TEXT, amount NUMERIC(10, 2), part TEXT,"
                            + " seq BIGINT, src TEXT)");
        }
        tables.executeSql(
                "CREATE TABLE delivered (id BIGINT, item STRING, amount DECIMAL(10, 2),"
                        + " part STRING, seq BIGINT, src STRING) WITH ("
                        + " 'connector' = 'idempotent', 'destination' = 'jdbc',"
                        + " 'destination.jdbc.url' = '"
                        + PostgresServer.jdbcUrl()
                        + "', 'destination.jdbc.table' = '"
                        + table
                        + "', 'destination.jdbc.ledger-table' = '"
                        + PostgresServer.uniqueTable("sql_ledger")
                        + "')");
        insertWithOneFailure();

        List<Delivered> rows = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection(PostgresServer.jdbcUrl());
                Statement statement = connection.createStatement();
                ResultSet result =
                        statement.executeQuery(
                                "SELECT id, item, amount, part, seq, src FROM " + table)) {
            while (result.next()) {
                rows.add(
                        new Delivered(
                                result.getLong(1),
                                result.getString(2),
                                result.getBigDecimal(3),
                                result.getString(4),
                                result.getLong(5),
                                result.getString(6)));
            }
        }
        assertDeliveredOnce(rows);
    }

    /**
     * Proves design.md row F40 for the checkpoint-aligned SQL sink: a row PostgreSQL refuses for
     * good (a CHECK constraint) stops the INSERT job without the restarts the cluster allows,
     * naming the batch, the element and the SQL state, and never the row's data.
     */
    @Test
    void aRowPostgresRefusesStopsTheSqlJobWithoutRestartsOrItsData() throws Exception {
        String table = PostgresServer.uniqueTable("sql_refusing");
        try (Connection connection = DriverManager.getConnection(PostgresServer.jdbcUrl());
                Statement statement = connection.createStatement()) {
            statement.execute(
                    "CREATE TABLE " + table + " (id BIGINT, item TEXT CHECK (item <> 'item-7'))");
        }
        tables.executeSql(
                "CREATE TABLE refusing (id BIGINT, item STRING) WITH ("
                        + " 'connector' = 'idempotent', 'destination' = 'jdbc',"
                        + " 'destination.jdbc.url' = '"
                        + PostgresServer.jdbcUrl()
                        + "', 'destination.jdbc.table' = '"
                        + table
                        + "', 'destination.jdbc.ledger-table' = '"
                        + PostgresServer.uniqueTable("sql_ledger")
                        + "')");
        long started = System.nanoTime();
        assertThatThrownBy(
                        () ->
                                tables.executeSql(
                                                "INSERT INTO refusing SELECT id, item FROM orders")
                                        .await(120, java.util.concurrent.TimeUnit.SECONDS))
                .hasStackTraceContaining("SuppressRestartsException")
                .hasStackTraceContaining("for good")
                .hasStackTraceContaining("SQL state 23514")
                .satisfies(
                        e -> {
                            assertThat(Traces.text(e))
                                    .doesNotContain("Failing row")
                                    .doesNotContain("item-7");
                        });
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - started))
                .isLessThan(java.time.Duration.ofSeconds(100));
    }

    @Test
    void insertsIntoHttpExactlyOnceDespiteAFailure() throws Exception {
        int before = http.applied().size();
        tables.executeSql(
                "CREATE TABLE delivered (id BIGINT, item STRING, amount DECIMAL(10, 2),"
                        + " part STRING, seq BIGINT, src STRING) WITH ("
                        + " 'connector' = 'idempotent', 'destination' = 'http',"
                        + " 'destination.http.url' = '"
                        + http.url()
                        + "', 'destination.http.success-statuses' = '200',"
                        + " 'destination.http.require-echoed-idempotency-key' = 'true',"
                        + " 'destination.http.required-response-headers' = 'Idempotency-Key',"
                        + " 'destination.http-headers' = 'X-Api-Version:1',"
                        + " 'format' = 'json', 'sink.name' = 'sql-"
                        + dir.getFileName()
                        + "')");
        insertWithOneFailure();
        assertThat(http.lastHeader("X-Api-Version")).isEqualTo("1");

        ObjectMapper json = new ObjectMapper();
        List<Delivered> rows = new ArrayList<>();
        for (String line : http.applied().subList(before, http.applied().size())) {
            JsonNode node = json.readTree(line);
            rows.add(
                    new Delivered(
                            node.get("id").asLong(),
                            node.get("item").asText(),
                            node.get("amount").decimalValue(),
                            node.get("part").asText(),
                            node.get("seq").asLong(),
                            node.get("src").asText()));
        }
        assertDeliveredOnce(rows);
    }

    /**
     * Proves design.md row F16: a table name from an option reaches SQL only as a checked
     * identifier; a hostile one is refused at planning, and the table it aims at is untouched.
     */
    @Test
    void aHostileJdbcTableOptionIsRefusedAndDropsNothing() throws Exception {
        String table = PostgresServer.uniqueTable("sql_target");
        String victim = PostgresServer.uniqueTable("sql_victim");
        try (Connection connection = DriverManager.getConnection(PostgresServer.jdbcUrl());
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE " + table + " (id BIGINT)");
            statement.execute("CREATE TABLE " + victim + " (id BIGINT)");
        }
        String hostile = table + " (id) SELECT 1; DROP TABLE " + victim + "; INSERT INTO " + table;
        tables.executeSql(
                "CREATE TABLE hostile (id BIGINT) WITH ("
                        + " 'connector' = 'idempotent', 'destination' = 'jdbc',"
                        + " 'destination.jdbc.url' = '"
                        + PostgresServer.jdbcUrl()
                        + "', 'destination.jdbc.table' = '"
                        + hostile
                        + "', 'destination.jdbc.ledger-table' = '"
                        + PostgresServer.uniqueTable("sql_ledger")
                        + "')");
        assertThatThrownBy(
                        () ->
                                tables.executeSql("INSERT INTO hostile SELECT id FROM orders")
                                        .await())
                .hasStackTraceContaining("'destination.jdbc.table' must be a table name");
        try (Connection connection = DriverManager.getConnection(PostgresServer.jdbcUrl());
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT count(*) FROM " + victim)) {
            assertThat(result.next()).as("the victim table still exists").isTrue();
        }
    }

    @Test
    void aRecordTheFormatCannotReadFailsTheJobNamingIt() {
        try (LocalStream orders = LocalStream.open(dir.resolve("stream"))) {
            orders.append("1", null, "{not json".getBytes(StandardCharsets.UTF_8), 0);
        }
        // Into a blackhole, not collect(): Flink's collect sink can throw in close() when its
        // task is cancelled before it opened, which fails the MiniCluster's TaskManager.
        tables.executeSql("CREATE TABLE nowhere (id BIGINT) WITH ('connector' = 'blackhole')");
        assertThatThrownBy(
                        () ->
                                tables.executeSql("INSERT INTO nowhere SELECT id FROM orders")
                                        .await())
                .hasStackTraceContaining(
                        "Record "
                                + streamName
                                + "/1#"
                                + RECORDS
                                + " (stream/partition#sequence) cannot be decoded by the table's"
                                + " format");
    }

    @Test
    void readsAKafkaTopicWithItsOffsetsAsSequences() throws Exception {
        String topic = "sql-orders-" + dir.getFileName().toString().replaceAll("[^a-zA-Z0-9]", "");
        KafkaBroker.createTopic(topic, 2);
        List<String> payloads = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            payloads.add(String.format("{\"id\": %d, \"item\": \"item-%d\"}", i, i));
        }
        // In transactions of 10: each commit marker leaves a gap in the offsets.
        KafkaBroker.appendTransactionally(topic, List.of(0, 1), payloads, 10);
        tables.executeSql(
                "CREATE TABLE kafka_orders (id BIGINT, item STRING,"
                        + " part STRING METADATA FROM 'partition' VIRTUAL,"
                        + " seq BIGINT METADATA FROM 'sequence' VIRTUAL) WITH ("
                        + " 'connector' = 'idempotent', 'stream' = 'kafka',"
                        + " 'stream.kafka.bootstrap-servers' = '"
                        + KafkaBroker.bootstrapServers()
                        + "', 'stream.kafka.topic' = '"
                        + topic
                        + "', 'format' = 'json', 'scan.bounded' = 'true',"
                        + " 'scan.partition-discovery.interval' = '0 s')");
        Map<String, List<Long>> sequences = new LinkedHashMap<>();
        List<Long> ids = new ArrayList<>();
        try (CloseableIterator<Row> rows =
                tables.executeSql("SELECT id, part, seq FROM kafka_orders").collect()) {
            rows.forEachRemaining(
                    row -> {
                        ids.add((Long) row.getField(0));
                        sequences
                                .computeIfAbsent((String) row.getField(1), p -> new ArrayList<>())
                                .add((Long) row.getField(2));
                    });
        }
        assertThat(ids).hasSize(100);
        assertThat(sequences).containsOnlyKeys("0", "1");
        // 50 records per partition at offsets 0-9, 11-20, ..., 44-53: markers take the gaps.
        assertThat(sequences.get("0")).hasSize(50).contains(0L, 11L, 53L).doesNotContain(10L, 21L);
    }

    private void insertWithOneFailure() throws Exception {
        FailOnce.arm(PARTITIONS * RECORDS / 2);
        tables.executeSql(
                        "INSERT INTO delivered"
                                + " SELECT id, item, amount, part, seq, `stream` FROM orders"
                                + " WHERE fail_once(seq)")
                .await();
        assertThat(FailOnce.FIRED.get()).as("the injected failure fired").isEqualTo(1);
    }

    /** Counts lost and duplicated records by origin, and checks every row's values. */
    private static List<Path> batchFiles(Path out) throws IOException {
        try (Stream<Path> files = Files.walk(out)) {
            return files.filter(f -> f.toString().endsWith(".batch")).toList();
        }
    }

    /** The rows the CSV batch files hold: id, item, amount, part, seq, src. */
    private static List<Delivered> rowsIn(List<Path> batches) throws IOException {
        List<Delivered> rows = new ArrayList<>();
        for (Path file : batches) {
            for (String line : Files.readAllLines(file)) {
                String[] f = line.split(",");
                rows.add(
                        new Delivered(
                                Long.parseLong(f[0]),
                                f[1],
                                new BigDecimal(f[2]),
                                f[3],
                                Long.parseLong(f[4]),
                                f[5]));
            }
        }
        return rows;
    }

    private static void assertDeliveredOnce(List<Delivered> rows) {
        Map<String, List<Long>> expected = new LinkedHashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            List<Long> sequences = new ArrayList<>();
            for (long s = 0; s < RECORDS; s++) {
                sequences.add(s);
            }
            expected.put(Integer.toString(p), sequences);
        }
        List<Origin> origins = new ArrayList<>();
        for (Delivered row : rows) {
            origins.add(new Origin(row.part(), row.seq()));
            assertThat(row)
                    .isEqualTo(
                            new Delivered(
                                    id(row.part(), row.seq()),
                                    "item-" + row.seq(),
                                    new BigDecimal(row.seq() + ".25"),
                                    row.part(),
                                    row.seq(),
                                    streamName));
        }
        ExactlyOnceVerifier.Result result = ExactlyOnceVerifier.verify(expected, origins);
        // The query may reorder across partitions; per partition the checkpoint-aligned sink keeps
        // order
        // only within a subtask, so order is not claimed here.
        assertThat(result.lost()).as(result.toString()).isZero();
        assertThat(result.duplicated()).as(result.toString()).isZero();
        assertThat(result.delivered()).isEqualTo(result.expected());
    }

    private static long id(String partition, long sequence) {
        return Long.parseLong(partition) * 100_000 + sequence;
    }

    record Delivered(long id, String item, BigDecimal amount, String part, long seq, String src) {}

    /** A filter that passes everything and throws once, after its countdown, in this JVM. */
    public static final class FailOnce extends ScalarFunction {
        static final AtomicInteger COUNTDOWN = new AtomicInteger();
        static final AtomicInteger FIRED = new AtomicInteger();

        static void arm(int rows) {
            COUNTDOWN.set(rows);
            FIRED.set(0);
        }

        public boolean eval(Long sequence) {
            if (COUNTDOWN.decrementAndGet() == 0) {
                FIRED.incrementAndGet();
                throw new IllegalStateException("injected failure at sequence " + sequence);
            }
            return true;
        }
    }
}
