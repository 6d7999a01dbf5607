package io.idempotent.flink.checkpoint.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.idempotent.flink.checkpoint.PartitionCheckpoint;
import io.idempotent.flink.destination.Batch;
import io.idempotent.flink.destination.IdempotentDestination;
import io.idempotent.flink.destination.SendOutcome;
import io.idempotent.flink.destination.jdbc.JdbcDestination;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import io.idempotent.flink.testutils.TestCertificates;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PostgreSQL checkpoint store and destination over TLS with {@code sslmode=verify-full}, as the
 * deployment guide shows it, against a real server with {@code ssl = on} and a certificate made by
 * keytool for {@code localhost} and {@code 127.0.0.1}.
 */
class PostgresTlsTest {

    @TempDir static Path dir;
    private static TestCertificates certificates;
    private static EmbeddedPostgres server;

    @BeforeAll
    static void start() throws Exception {
        certificates = TestCertificates.create(dir);
        server =
                EmbeddedPostgres.builder()
                        .setServerConfig("ssl", "on")
                        .setServerConfig(
                                "ssl_cert_file", certificates.certificate("server").toString())
                        .setServerConfig("ssl_key_file", certificates.serverKeyPem().toString())
                        .start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static String url(String rootCertificate) {
        return "jdbc:postgresql://localhost:"
                + server.getPort()
                + "/postgres?user=postgres&sslmode=verify-full&sslrootcert="
                + rootCertificate;
    }

    /** Proves design.md row F38 for PostgreSQL: verified TLS, or no connection. */
    @Test
    void theStoreAndTheDestinationConnectWithVerifiedTlsOnly() throws Exception {
        String trusted = certificates.certificate("server").toString();
        StreamPartition partition = new StreamPartition("orders", "0");
        try (PostgresCheckpointStore store =
                PostgresCheckpointStore.builder()
                        .url(url(trusted))
                        .table("tls_checkpoints")
                        .build()) {
            long epoch = store.acquire(partition);
            assertThat(store.load(partition)).isEqualTo(new PartitionCheckpoint(epoch, -1, null));
        }
        try (Connection connection =
                        new org.postgresql.Driver()
                                .connect(url(trusted), new java.util.Properties());
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE tls_rows (value TEXT)");
            try (ResultSet ssl =
                    statement.executeQuery(
                            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
                ssl.next();
                assertThat(ssl.getBoolean(1)).as("the connection is encrypted").isTrue();
            }
        }
        IdempotentDestination<String> destination =
                JdbcDestination.<String>builder()
                        .url(url(trusted))
                        .insert("INSERT INTO tls_rows (value) VALUES (?)")
                        .binder((statement, value) -> statement.setString(1, value))
                        .buildFactory()
                        .create();
        Batch<String> batch = Batch.of(partition, SequenceRange.of(0, 1), List.of("a", "b"));
        assertThat(destination.send(batch)).isEqualTo(SendOutcome.APPLIED);
        destination.close();

        // A server whose certificate the given root did not sign: no connection.
        String other = certificates.certificate("client").toString();
        assertThatThrownBy(
                        () ->
                                PostgresCheckpointStore.builder()
                                        .url(url(other))
                                        .table("tls_checkpoints")
                                        .build()
                                        .load(partition))
                .hasStackTraceContaining("SSL");
    }

    /**
     * Proves design.md row F38 in SQL: driver properties given as {@code
     * destination.jdbc.properties.*} reach the driver: the rows arrive over verified TLS, and with
     * a root certificate that did not sign the server's the INSERT fails.
     */
    @Test
    void sqlPassesDriverPropertiesToTheDestination() throws Exception {
        String plainUrl = "jdbc:postgresql://localhost:" + server.getPort() + "/postgres";
        try (Connection connection =
                        new org.postgresql.Driver()
                                .connect(
                                        url(certificates.certificate("server").toString()),
                                        new java.util.Properties());
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE sql_tls_rows (id INT, item TEXT)");
        }
        TableEnvironment tables = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        for (String root : List.of("server", "client")) {
            tables.executeSql(
                    "CREATE TABLE rows_"
                            + root
                            + " (id INT, item STRING) WITH ('connector' = 'idempotent',"
                            + " 'destination' = 'jdbc', 'destination.jdbc.url' = '"
                            + plainUrl
                            + "', 'destination.jdbc.table' = 'sql_tls_rows',"
                            + " 'destination.jdbc.username' = 'postgres',"
                            + " 'destination.jdbc.properties.sslmode' = 'verify-full',"
                            + " 'destination.jdbc.properties.sslrootcert' = '"
                            + certificates.certificate(root)
                            + "')");
        }
        tables.executeSql("INSERT INTO rows_server VALUES (1, 'a'), (2, 'b')").await();
        try (Connection connection =
                        new org.postgresql.Driver()
                                .connect(
                                        url(certificates.certificate("server").toString()),
                                        new java.util.Properties());
                Statement statement = connection.createStatement();
                ResultSet count = statement.executeQuery("SELECT count(*) FROM sql_tls_rows")) {
            count.next();
            assertThat(count.getInt(1)).isEqualTo(2);
        }
        assertThatThrownBy(
                        () -> tables.executeSql("INSERT INTO rows_client VALUES (3, 'c')").await())
                .hasStackTraceContaining("SSL");
    }
}
