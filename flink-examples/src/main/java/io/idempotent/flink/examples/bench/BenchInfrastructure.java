package io.idempotent.flink.examples.bench;

import io.idempotent.flink.testutils.IdempotentHttpServer;
import io.idempotent.flink.testutils.KafkaBroker;
import io.idempotent.flink.testutils.PostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The destinations and brokers the benchmark runs against, started in this JVM on first use: a real
 * PostgreSQL server (fsync on), an in-process Kafka broker and an HTTP server that honours
 * idempotency keys — the library's own test servers.
 */
final class BenchInfrastructure implements AutoCloseable {

    private IdempotentHttpServer http;

    String postgres() {
        return PostgresServer.jdbcUrl();
    }

    String kafka() {
        return KafkaBroker.bootstrapServers();
    }

    void createTopic(String topic, int partitions) {
        KafkaBroker.createTopic(topic, partitions);
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

    /** A new table of lines. */
    String createLineTable(String name) {
        try (Connection connection = DriverManager.getConnection(postgres());
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE " + name + " (line TEXT NOT NULL)");
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot create table " + name, e);
        }
        return name;
    }

    @Override
    public synchronized void close() {
        if (http != null) {
            http.close();
            http = null;
        }
    }
}
