package io.idempotent.flink.testutils;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL server for the whole test JVM, started from Maven artifacts on first use, with
 * fsync and synchronous commits on (the embedded defaults are not durable).
 */
public final class PostgresServer {

    private static final AtomicInteger TABLES = new AtomicInteger();
    private static EmbeddedPostgres server;

    private PostgresServer() {}

    public static synchronized String jdbcUrl() {
        if (server == null) {
            try {
                server =
                        EmbeddedPostgres.builder()
                                .setServerConfig("fsync", "on")
                                .setServerConfig("synchronous_commit", "on")
                                .setServerConfig("max_connections", "200")
                                .start();
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot start the embedded PostgreSQL server", e);
            }
            EmbeddedPostgres started = server;
            Runtime.getRuntime()
                    .addShutdownHook(
                            new Thread(
                                    () -> {
                                        try {
                                            started.close();
                                        } catch (IOException ignored) {
                                            // the JVM is going away
                                        }
                                    }));
        }
        return server.getJdbcUrl("postgres", "postgres");
    }

    /** A table name no other test has used in this JVM. */
    public static String uniqueTable(String prefix) {
        return prefix + "_" + TABLES.incrementAndGet();
    }
}
