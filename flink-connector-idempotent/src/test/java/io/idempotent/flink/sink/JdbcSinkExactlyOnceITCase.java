package io.idempotent.flink.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.idempotent.flink.checkpoint.PendingCheckpoint;
import io.idempotent.flink.destination.DestinationFactory;
import io.idempotent.flink.destination.file.FileDestination;
import io.idempotent.flink.destination.jdbc.JdbcDestination;
import io.idempotent.flink.source.StartingPosition;
import io.idempotent.flink.testutils.ExactlyOnceVerifier;
import io.idempotent.flink.testutils.FileDestinationReader;
import io.idempotent.flink.testutils.OriginLine;
import io.idempotent.flink.testutils.PostgresServer;
import io.idempotent.flink.testutils.Traces;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

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
                            ExactlyOnceVerifier.Origin origin = OriginLine.parse(line);
                            statement.setString(1, origin.partition());
                            statement.setLong(2, origin.sequence());
                            statement.setString(3, OriginLine.payload(line));
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

    /** Makes the database refuse the row of record 0#{@code sequence} with a CHECK constraint. */
    private void refuseRowOf(long sequence) throws Exception {
        try (Connection connection = DriverManager.getConnection(PostgresServer.jdbcUrl());
                Statement statement = connection.createStatement()) {
            statement.execute(
                    "ALTER TABLE "
                            + table
                            + " ADD CONSTRAINT no_poison CHECK (NOT (partition_name = '0' AND"
                            + " sequence = "
                            + sequence
                            + "))");
        }
    }

    /**
     * Proves design.md row F40 end to end: a row the database refuses for good (a CHECK constraint)
     * goes to the dead letters exactly once, through an injected failure and its restart, and every
     * other record arrives exactly once, in order; the dead letter names the refusal without the
     * row's data.
     */
    @Test
    void aRowTheDatabaseRefusesGoesToTheDeadLettersOnceAndTheRestArrivesExactlyOnce()
            throws Exception {
        Map<String, List<Long>> expected = new TreeMap<>(expected());
        long poison = expected.get("0").get(10);
        List<Long> rest = new ArrayList<>(expected.get("0"));
        rest.remove(poison);
        expected.put("0", rest);
        refuseRowOf(poison);
        Path deadDir = dir.resolve("dead");
        deadLetters = FileDestination.factory(deadDir, ExactlyOnceSinkITCaseBase::letterLine);
        Faults.armAfter(Faults.Fault.APPLIED_THEN_TIMEOUT, 2);
        run(StartingPosition.EARLIEST, 2);

        assertThat(Faults.fired()).isEqualTo(1);
        ExactlyOnceVerifier.Result result = ExactlyOnceVerifier.verify(expected, holdings());
        assertThat(result.exactlyOnce()).as(result.toString()).isTrue();
        assertThat(FileDestinationReader.readAll(deadDir))
                .containsExactly(new ExactlyOnceVerifier.Origin("0", poison));
        assertThat(contents(deadDir)).contains("SQL state 23514").doesNotContain("payload-");
    }

    /**
     * Proves design.md row F40 without dead letters: the job stops without the five restarts the
     * cluster allows, naming the record's stream, partition and sequence and the refusal, and
     * nothing in the failure quotes the row.
     */
    @Test
    void aRowTheDatabaseRefusesWithoutDeadLettersStopsNamingTheRecordWithoutItsData()
            throws Exception {
        long poison = expected().get("0").get(10);
        refuseRowOf(poison);
        assertThatThrownBy(() -> run(StartingPosition.EARLIEST, 2))
                .hasStackTraceContaining(SuppressRestartsException.class.getName())
                .hasStackTraceContaining("/0#" + poison + " (stream/partition#sequence)")
                .hasStackTraceContaining("SQL state 23514")
                .satisfies(
                        e -> {
                            assertThat(Traces.text(e))
                                    .doesNotContain("Failing row")
                                    .doesNotContain("payload-");
                        });
        assertThat(holdings()).doesNotContain(new ExactlyOnceVerifier.Origin("0", poison));
    }

    private static String contents(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .map(
                            file -> {
                                try {
                                    return Files.readString(file, StandardCharsets.UTF_8);
                                } catch (IOException e) {
                                    throw new java.io.UncheckedIOException(e);
                                }
                            })
                    .collect(Collectors.joining("\n"));
        }
    }
}
