package io.idempotent.flink.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.idempotent.flink.stream.local.LocalStream;
import io.idempotent.flink.testutils.LogCapture;
import io.idempotent.flink.testutils.Traces;
import java.nio.file.Path;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.ExplainDetail;
import org.apache.flink.table.api.TableEnvironment;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Options are checked when a statement is planned, with messages that say what to do. */
class IdempotentTableFactoryTest {

    @TempDir Path dir;
    private TableEnvironment tables;
    private Path stream;

    @BeforeEach
    void setUp() {
        stream = dir.resolve("stream");
        LocalStream.create(stream, "orders", 2).close();
        tables = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
    }

    private void source(String options) {
        tables.executeSql(
                "CREATE TABLE src (id BIGINT, part STRING METADATA FROM 'partition' VIRTUAL)"
                        + " WITH ('connector' = 'idempotent', 'format' = 'json'"
                        + options
                        + ")");
    }

    private void sink(String columns, String options) {
        tables.executeSql(
                "CREATE TABLE dst ("
                        + columns
                        + ") WITH ('connector' = 'idempotent'"
                        + options
                        + ")");
    }

    private String local() {
        return ", 'stream' = 'local', 'stream.local.path' = '" + stream + "'";
    }

    @Test
    void aValidSourceAndSinkPlan() {
        source(local() + ", 'scan.startup.mode' = 'latest'");
        sink(
                "id BIGINT, part STRING",
                ", 'destination' = 'file', 'destination.file.path' = '"
                        + dir.resolve("out")
                        + "', 'format' = 'csv'");
        assertThat(tables.explainSql("INSERT INTO dst SELECT id, part FROM src"))
                .contains(
                        "TableSourceScan(table=[[default_catalog, default_database, src,"
                                + " metadata=[partition]]], fields=[id, part])")
                .contains("Sink(table=[default_catalog.default_database.dst], fields=[id, part])");
    }

    /**
     * Proves design.md row F38 in SQL: when planning fails, no secret in any option that can hold
     * one appears in the exception chain or in anything logged meanwhile: HTTP headers, store and
     * database passwords, TLS store passwords, the Kafka client's JAAS configuration and store
     * passwords, and URLs with a token or a password in them, which Flink's own listing of a
     * table's options (around a refusal thrown from the factory) would print.
     */
    @Test
    void aFailedPlanningShowsNoSecretInMessagesOrLogs() {
        String kafkaSecrets =
                ", 'stream.kafka.properties.sasl.jaas.config' = 'org.apache.kafka.common.security"
                        + ".plain.PlainLoginModule required username=\"u\""
                        + " password=\"jaas-s3cr3t\";',"
                        + " 'stream.kafka.properties.ssl.truststore.password' = 'kafka-s3cr3t'";
        String storeSecrets =
                ", 'checkpoint-store' = 'postgres',"
                        + " 'checkpoint-store.postgres.url' ="
                        + " 'jdbc:postgresql://db/x?user=app&password=store-url-s3cr3t',"
                        + " 'checkpoint-store.postgres.password' = 'store-s3cr3t'";
        // A source the Kafka stream refuses (isolation level).
        source(
                ", 'stream' = 'kafka', 'stream.kafka.bootstrap-servers' = 'b:9092',"
                        + " 'stream.kafka.topic' = 't',"
                        + " 'stream.kafka.properties.isolation.level' = 'read_uncommitted'"
                        + kafkaSecrets
                        + storeSecrets);
        assertPlanningFailsShowingNoSecret(
                () -> tables.sqlQuery("SELECT * FROM src").explain(),
                "isolation.level=read_committed");
        tables.executeSql("DROP TABLE src");
        source(local());
        // An HTTP sink refused for credentials over plain http://.
        sink(
                "id BIGINT",
                ", 'destination' = 'http',"
                        + " 'destination.http.url' = 'http://api.example/b?api_token=url-s3cr3t',"
                        + " 'destination.http-headers' = 'Authorization:Bearer header-s3cr3t',"
                        + " 'destination.http.ssl.truststore.location' = '/x/trust.p12',"
                        + " 'destination.http.ssl.truststore.password' = 'trust-s3cr3t',"
                        + " 'destination.http.ssl.keystore.location' = '/x/key.p12',"
                        + " 'destination.http.ssl.keystore.password' = 'key-s3cr3t',"
                        + " 'format' = 'json'"
                        + storeSecrets);
        assertPlanningFailsShowingNoSecret(
                () -> tables.explainSql("INSERT INTO dst SELECT id FROM src"),
                "would send a credential (the header 'Authorization') over plain http://");
        tables.executeSql("DROP TABLE dst");
        // A JDBC sink refused for a format.
        sink(
                "id BIGINT",
                ", 'destination' = 'jdbc',"
                        + " 'destination.jdbc.url' = 'jdbc:postgresql://h/db?password=jdbc-url-s3cr3t',"
                        + " 'destination.jdbc.table' = 't', 'format' = 'json',"
                        + " 'destination.jdbc.password' = 'jdbc-s3cr3t'");
        assertPlanningFailsShowingNoSecret(
                () -> tables.explainSql("INSERT INTO dst SELECT id FROM src"),
                "remove the 'format' option");
    }

    private static void assertPlanningFailsShowingNoSecret(
            org.assertj.core.api.ThrowableAssert.ThrowingCallable planning, String ours) {
        try (LogCapture log = new LogCapture()) {
            assertThatThrownBy(planning)
                    .hasStackTraceContaining(ours)
                    .satisfies(
                            e -> {
                                assertThat(Traces.text(e)).doesNotContain("s3cr3t");
                            });
            org.slf4j.LoggerFactory.getLogger(IdempotentTableFactoryTest.class)
                    .info("the capture sees the log");
            assertThat(log.text()).contains("the capture sees the log").doesNotContain("s3cr3t");
        }
    }

    @Test
    void aSourceNeedsAStream() {
        source("");
        assertThatThrownBy(() -> tables.sqlQuery("SELECT * FROM src").explain())
                .hasStackTraceContaining(
                        "Table 'default_catalog.default_database.src': a source table needs the"
                                + " option 'stream'.");
    }

    @Test
    void aLocalStreamNeedsItsPath() {
        source(", 'stream' = 'local'");
        assertThatThrownBy(() -> tables.sqlQuery("SELECT * FROM src").explain())
                .hasStackTraceContaining("'stream' = 'local' needs the option 'stream.local.path'");
    }

    @Test
    void settingsAreCheckedByTheBuilder() {
        source(local() + ", 'scan.max-records-per-fetch' = '0'");
        assertThatThrownBy(() -> tables.sqlQuery("SELECT * FROM src").explain())
                .hasStackTraceContaining("maxRecordsPerFetch must be at least 1, but is 0.");
    }

    @Test
    void startingFromTheCheckpointStoreNeedsOne() {
        source(local() + ", 'scan.startup.mode' = 'checkpoint_store'");
        assertThatThrownBy(() -> tables.sqlQuery("SELECT * FROM src").explain())
                .hasStackTraceContaining(
                        "'scan.startup.mode' = 'checkpoint_store' needs the option"
                                + " 'checkpoint-store'");
    }

    @Test
    void unknownOptionsAreRefused() {
        source(local() + ", 'stream.local.pth' = 'x'");
        assertThatThrownBy(() -> tables.sqlQuery("SELECT * FROM src").explain())
                .hasStackTraceContaining("Unsupported options")
                .hasStackTraceContaining("stream.local.pth");
    }

    @Test
    void aFileSinkNeedsAFormat() {
        source(local());
        sink("id BIGINT", ", 'destination' = 'file', 'destination.file.path' = '/tmp/x'");
        assertThatThrownBy(() -> tables.explainSql("INSERT INTO dst SELECT id FROM src"))
                .hasStackTraceContaining(
                        "'destination' = 'file' writes encoded rows: set 'format', e.g. 'json'");
    }

    @Test
    void aJdbcSinkRefusesAFormat() {
        source(local());
        sink(
                "id BIGINT",
                ", 'destination' = 'jdbc', 'destination.jdbc.url' = 'jdbc:postgresql://h/db',"
                        + " 'destination.jdbc.table' = 't', 'format' = 'json'");
        assertThatThrownBy(() -> tables.explainSql("INSERT INTO dst SELECT id FROM src"))
                .hasStackTraceContaining("remove the 'format' option");
    }

    @Test
    void aJdbcSinkRefusesColumnsItCannotWrite() {
        source(local());
        sink(
                "ids ARRAY<BIGINT>",
                ", 'destination' = 'jdbc', 'destination.jdbc.url' = 'jdbc:postgresql://h/db',"
                        + " 'destination.jdbc.table' = 't'");
        assertThatThrownBy(() -> tables.explainSql("INSERT INTO dst SELECT ARRAY[id] FROM src"))
                .hasStackTraceContaining("column 'ids' has type ARRAY<BIGINT>");
    }

    /** One rule for sink names, in SQL as in the DataStream builders. */
    @Test
    void aSinkNameIsCheckedAsInTheDataStreamApi() {
        source(local());
        for (String bad : new String[] {"a/b", "two words", "-x", "x".repeat(65)}) {
            sink(
                    "id BIGINT",
                    ", 'destination' = 'file', 'destination.file.path' = '/tmp/x',"
                            + " 'format' = 'csv', 'sink.name' = '"
                            + bad
                            + "'");
            assertThatThrownBy(() -> tables.explainSql("INSERT INTO dst SELECT id FROM src"))
                    .as(bad)
                    .hasStackTraceContaining("A sink name has 1 to 64 letters, digits")
                    .hasStackTraceContaining("Change 'sink.name'");
            tables.executeSql("DROP TABLE dst");
        }
    }

    @Test
    void aSinkRefusesUpdates() {
        source(local());
        sink(
                "part STRING, n BIGINT",
                ", 'destination' = 'file', 'destination.file.path' = '/tmp/x', 'format' = 'csv'");
        assertThatThrownBy(
                        () ->
                                tables.explainSql(
                                        "INSERT INTO dst SELECT part, COUNT(*) FROM src GROUP BY part"))
                .hasStackTraceContaining("doesn't support consuming update changes");
    }

    @Test
    void sinkParallelismIsApplied() {
        source(local());
        sink(
                "id BIGINT",
                ", 'destination' = 'file', 'destination.file.path' = '/tmp/x',"
                        + " 'format' = 'csv', 'sink.parallelism' = '3'");
        assertThat(
                        tables.explainSql(
                                "INSERT INTO dst SELECT id FROM src",
                                ExplainDetail.JSON_EXECUTION_PLAN))
                .containsPattern("\"Sink: Writer\"[^}]*\"parallelism\" : 3");
    }

    @Test
    void sinkParallelismMustBePositive() {
        source(local());
        sink(
                "id BIGINT",
                ", 'destination' = 'file', 'destination.file.path' = '/tmp/x',"
                        + " 'format' = 'csv', 'sink.parallelism' = '0'");
        assertThatThrownBy(() -> tables.explainSql("INSERT INTO dst SELECT id FROM src"))
                .hasStackTraceContaining("'sink.parallelism' must be at least 1, but is 0.");
    }
}
