package io.idempotent.flink.bench;

import io.idempotent.flink.testutils.IdempotentHttpServer;
import io.idempotent.flink.testutils.KafkaBroker;
import io.idempotent.flink.testutils.PostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The destinations and brokers the benchmark runs against, started on first use: a real PostgreSQL
 * server (fsync on), a Kafka broker (in a process of its own) and an HTTP server that honours
 * idempotency keys — the library's own test servers.
 */
final class BenchInfrastructure implements AutoCloseable {

    private IdempotentHttpServer http;
    private boolean postgresUsed;
    private boolean kafkaStarted;

    String postgres() {
        postgresUsed = true;
        return PostgresServer.jdbcUrl();
    }

    /**
     * The broker runs in a process of its own: a topic of 10,000 partitions holds a file and two
     * memory maps per partition, and in the benchmark's JVM that met the limits of open files and
     * maps (creating the next topic timed out).
     */
    String kafka() {
        if (!kafkaStarted) {
            try {
                KafkaBroker.inOwnProcess(Files.createTempDirectory("bench-kafka"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            kafkaStarted = true;
        }
        return KafkaBroker.bootstrapServers();
    }

    void createTopic(String topic, int partitions) {
        kafka();
        KafkaBroker.createTopic(topic, partitions);
    }

    void deleteTopic(String topic) {
        kafka();
        KafkaBroker.deleteTopic(topic);
    }

    /**
     * A fresh HTTP server: batch identities repeat from run to run (same stream, often the same
     * ranges), and a server that remembered them would drop the next run's batches as repeats.
     */
    synchronized String newHttp() {
        close();
        try {
            http = new IdempotentHttpServer(false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return http.url();
    }

    /**
     * A new table of lines. Without autovacuum: analysing millions of new rows in the background
     * would take the cores from the next run.
     */
    String createLineTable(String name) {
        sql("CREATE TABLE " + name + " (line TEXT NOT NULL) WITH (autovacuum_enabled = false)");
        return name;
    }

    /** Drops what a run left in PostgreSQL and flushes the server's dirty pages now. */
    void dropTables(String... names) {
        if (!postgresUsed) {
            return;
        }
        for (String name : names) {
            sql("DROP TABLE IF EXISTS " + name);
        }
        sql("CHECKPOINT");
    }

    private void sql(String statementText) {
        try (Connection connection = DriverManager.getConnection(postgres());
                Statement statement = connection.createStatement()) {
            statement.execute(statementText);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot run " + statementText, e);
        }
    }

    @Override
    public synchronized void close() {
        if (http != null) {
            http.close();
            http = null;
        }
    }
}
