package io.idempotent.flink.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.idempotent.flink.checkpoint.PendingCheckpoint;
import io.idempotent.flink.destination.DestinationFactory;
import io.idempotent.flink.destination.jdbc.JdbcDestination;
import io.idempotent.flink.testutils.ExactlyOnceVerifier;
import io.idempotent.flink.testutils.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;

/**
 * The end-to-end cases into a real PostgreSQL server through the JDBC destination; the verifier
 * reads the table with plain SQL, in insertion order.
 */
class JdbcSinkExactlyOnceITCase extends ExactlyOnceSinkITCaseBase {

    private String table;
    private String ledger;

    @BeforeEach
    void createTable() throws Exception {
        table = PostgresServer.uniqueTable("delivered");
        ledger = PostgresServer.uniqueTable("ledger");
        try (Connection connection = DriverManager.getConnection(PostgresServer.jdbcUrl());
                Statement statement = connection.createStatement()) {
            statement.execute(
                    "CREATE TABLE "
                            + table
                            + " (id BIGSERIAL PRIMARY KEY, partition_name TEXT NOT NULL,"
                            + " sequence BIGINT NOT NULL, payload TEXT NOT NULL)");
        }
    }

    @Override
    DestinationFactory<String> destination() {
        return JdbcDestination.<String>builder()
                .url(PostgresServer.jdbcUrl())
                .insert(
                        "INSERT INTO "
                                + table
                                + " (partition_name, sequence, payload) VALUES (?, ?, ?)")
                .binder(
                        (statement, line) -> {
                            ExactlyOnceVerifier.Origin origin =
                                    ExactlyOnceVerifier.Origin.parse(line.split(" ", 2)[0]);
                            statement.setString(1, origin.partition());
                            statement.setLong(2, origin.sequence());
                            statement.setString(3, line.split(" ", 2)[1]);
                        })
                .ledgerTable(ledger)
                .buildFactory();
    }

    @Override
    List<ExactlyOnceVerifier.Origin> holdings() throws Exception {
        List<ExactlyOnceVerifier.Origin> origins = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection(PostgresServer.jdbcUrl());
                Statement statement = connection.createStatement();
                ResultSet rows =
                        statement.executeQuery(
                                "SELECT partition_name, sequence FROM " + table + " ORDER BY id")) {
            while (rows.next()) {
                origins.add(new ExactlyOnceVerifier.Origin(rows.getString(1), rows.getLong(2)));
            }
        }
        return origins;
    }

    @Override
    void assertResent(List<PendingCheckpoint> pending) throws Exception {
        try (Connection connection = DriverManager.getConnection(PostgresServer.jdbcUrl());
                PreparedStatement statement =
                        connection.prepareStatement(
                                "SELECT count(*) FROM " + ledger + " WHERE batch_id = ?")) {
            for (PendingCheckpoint replayed : pending) {
                statement.setString(1, replayed.batchId().value());
                try (ResultSet count = statement.executeQuery()) {
                    count.next();
                    assertThat(count.getInt(1)).as("ledger row of " + replayed).isEqualTo(1);
                }
            }
        }
    }
}
