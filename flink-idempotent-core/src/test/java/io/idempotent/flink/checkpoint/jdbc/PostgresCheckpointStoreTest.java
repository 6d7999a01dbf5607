package io.idempotent.flink.checkpoint.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.idempotent.flink.checkpoint.CheckpointStoreException;
import io.idempotent.flink.checkpoint.PartitionCheckpointStore;
import io.idempotent.flink.checkpoint.PartitionCheckpointStoreContract;
import io.idempotent.flink.storage.WriteDurability;
import io.idempotent.flink.stream.StreamPartition;
import io.idempotent.flink.testutils.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import net.jqwik.api.Example;

/** The store contract on a real PostgreSQL server, plus what is particular to a shared store. */
class PostgresCheckpointStoreTest extends PartitionCheckpointStoreContract {

    private static final StreamPartition P = new StreamPartition("s", "0");

    private static PostgresCheckpointStore open(String table) {
        return PostgresCheckpointStore.builder().url(PostgresServer.jdbcUrl()).table(table).build();
    }

    @Override
    protected StoreFixture newFixture() {
        String table = PostgresServer.uniqueTable("contract");
        return new StoreFixture() {
            private PartitionCheckpointStore store = open(table);

            @Override
            public PartitionCheckpointStore store() {
                return store;
            }

            @Override
            public PartitionCheckpointStore crashAndReopen() {
                store.close();
                store = open(table);
                return store;
            }

            @Override
            public void close() {
                store.close();
            }
        };
    }

    @Example
    void concurrentOwnersNeverShareAnEpoch() throws Exception {
        String table = PostgresServer.uniqueTable("concurrent");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<Long>>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                results.add(
                        pool.submit(
                                () -> {
                                    List<Long> epochs = new ArrayList<>();
                                    try (PostgresCheckpointStore store = open(table)) {
                                        for (int j = 0; j < 25; j++) {
                                            epochs.add(store.acquire(P));
                                        }
                                    }
                                    return epochs;
                                }));
            }
            List<Long> all = new ArrayList<>();
            for (Future<List<Long>> result : results) {
                all.addAll(result.get());
            }
            assertThat(all).doesNotHaveDuplicates().hasSize(100);
            assertThat(all).allMatch(e -> e >= 1 && e <= 100);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Proves design.md row S4. */
    @Example
    void refusesAForeignTable() throws Exception {
        String table = PostgresServer.uniqueTable("foreign");
        try (Connection connection = DriverManager.getConnection(PostgresServer.jdbcUrl());
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE " + table + " (id INT PRIMARY KEY, stream TEXT)");
        }
        assertThatThrownBy(() -> open(table))
                .isInstanceOf(CheckpointStoreException.class)
                .hasMessageContaining(
                        "Table " + table + " exists but is not a partition checkpoint")
                .hasMessageContaining("committed");
    }

    @Example
    void relaxedDurabilityWorksTheSame() {
        try (PostgresCheckpointStore store =
                PostgresCheckpointStore.builder()
                        .url(PostgresServer.jdbcUrl())
                        .table(PostgresServer.uniqueTable("relaxed"))
                        .durability(WriteDurability.RELAXED)
                        .build()) {
            assertThat(store.acquire(P)).isEqualTo(1);
        }
    }

    @Example
    void anUnreachableServerGetsAClearError() {
        assertThatThrownBy(
                        () ->
                                PostgresCheckpointStore.builder()
                                        .url("jdbc:postgresql://127.0.0.1:1/none")
                                        .property("connectTimeout", "2")
                                        .build())
                .isInstanceOf(CheckpointStoreException.class)
                .hasMessageContaining("jdbc:postgresql://127.0.0.1:1/none")
                .hasMessageContaining("Check that the server is reachable");
    }

    @Example
    void builderRejectsBadConfiguration() {
        assertThatThrownBy(() -> PostgresCheckpointStore.builder().build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "The PostgreSQL checkpoint store needs a JDBC URL of the form"
                                + " jdbc:postgresql://host:port/database, but got none.");
        assertThatThrownBy(
                        () ->
                                PostgresCheckpointStore.builder()
                                        .url("jdbc:postgresql://h/db")
                                        .table("Robert'); DROP TABLE x")
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lower-case SQL identifier");
    }
}
