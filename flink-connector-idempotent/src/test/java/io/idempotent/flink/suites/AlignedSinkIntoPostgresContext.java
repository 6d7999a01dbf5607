package io.idempotent.flink.suites;

import io.idempotent.flink.destination.jdbc.JdbcDestination;
import io.idempotent.flink.sink.aligned.CheckpointAlignedSink;
import io.idempotent.flink.testutils.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.testframe.external.ExternalSystemDataReader;
import org.apache.flink.connector.testframe.external.sink.TestingSinkSettings;

/**
 * the checkpoint-aligned sink into a real PostgreSQL server through the JDBC destination, for
 * Flink's sink test suite; the suite reads the table back with plain SQL.
 */
final class AlignedSinkIntoPostgresContext extends StringSinkExternalContext
        implements DestinationOrder {

    private final String table = PostgresServer.uniqueTable("suite_rows");
    private final String ledger = PostgresServer.uniqueTable("suite_ledger");

    AlignedSinkIntoPostgresContext() {
        try (Connection connection = DriverManager.getConnection(PostgresServer.jdbcUrl());
                Statement statement = connection.createStatement()) {
            statement.execute(
                    "CREATE TABLE " + table + " (id BIGSERIAL PRIMARY KEY, value TEXT NOT NULL)");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Sink<String> createSink(TestingSinkSettings settings) {
        return CheckpointAlignedSink.<String>builder()
                .name("suite")
                .elementType(Types.STRING)
                .destination(
                        JdbcDestination.<String>builder()
                                .url(PostgresServer.jdbcUrl())
                                .insert("INSERT INTO " + table + " (value) VALUES (?)")
                                .binder((statement, value) -> statement.setString(1, value))
                                .ledgerTable(ledger)
                                .buildFactory())
                .build();
    }

    @Override
    public ExternalSystemDataReader<String> createSinkDataReader(TestingSinkSettings settings) {
        return new ExternalSystemDataReader<>() {
            // Not "id > last id": ids are taken at insert, not at commit, so two committers'
            // transactions can become visible out of id order.
            private final Set<Long> seen = new HashSet<>();

            @Override
            public List<String> poll(Duration timeout) {
                List<String> values = new ArrayList<>();
                try (Connection connection = DriverManager.getConnection(PostgresServer.jdbcUrl());
                        PreparedStatement statement =
                                connection.prepareStatement(
                                        "SELECT id, value FROM " + table + " ORDER BY id")) {
                    try (ResultSet rows = statement.executeQuery()) {
                        while (rows.next()) {
                            if (seen.add(rows.getLong(1))) {
                                values.add(rows.getString(2));
                            }
                        }
                    }
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
                return values;
            }

            @Override
            public void close() {}
        };
    }

    /** Rows in insertion order: one committer inserts them, one transaction per batch. */
    @Override
    public List<String> readInDestinationOrder() {
        List<String> values = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection(PostgresServer.jdbcUrl());
                Statement statement = connection.createStatement();
                ResultSet rows =
                        statement.executeQuery("SELECT value FROM " + table + " ORDER BY id")) {
            while (rows.next()) {
                values.add(rows.getString(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return values;
    }

    @Override
    public void close() {}
}
