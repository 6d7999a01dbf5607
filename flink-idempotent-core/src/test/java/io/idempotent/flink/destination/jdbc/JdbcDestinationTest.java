package io.idempotent.flink.destination.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.idempotent.flink.destination.Batch;
import io.idempotent.flink.destination.IdempotentDestination;
import io.idempotent.flink.destination.PoisonElementException;
import io.idempotent.flink.destination.SendOutcome;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import io.idempotent.flink.testutils.PostgresServer;
import io.idempotent.flink.testutils.Traces;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against a real PostgreSQL server. */
class JdbcDestinationTest {

    private String table;
    private final Batch<String> batch =
            Batch.of(new StreamPartition("s", "0"), SequenceRange.of(0, 2), List.of("a", "b", "c"));

    @BeforeEach
    void createTable() throws Exception {
        table = PostgresServer.uniqueTable("rows");
        execute("CREATE TABLE " + table + " (value TEXT NOT NULL)");
    }

    private IdempotentDestination<String> destination(String ledger) {
        return JdbcDestination.<String>builder()
                .url(PostgresServer.jdbcUrl())
                .insert("INSERT INTO " + table + " (value) VALUES (?)")
                .binder((statement, value) -> statement.setString(1, value))
                .ledgerTable(ledger)
                .buildFactory()
                .create();
    }

    @Test
    void writesRowsAndLedgerOnceAndDropsRepeats() throws Exception {
        IdempotentDestination<String> destination =
                destination(PostgresServer.uniqueTable("ledger"));
        assertThat(destination.send(batch)).isEqualTo(SendOutcome.APPLIED);
        assertThat(destination.send(batch)).isEqualTo(SendOutcome.REPEAT_DROPPED);
        assertThat(count()).isEqualTo(3);
    }

    /** Proves design.md row P7 at the destination: two owners sending one identity at once. */
    @Test
    void concurrentSendsOfOneIdentityApplyItOnce() throws Exception {
        String ledger = PostgresServer.uniqueTable("ledger");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<SendOutcome>> outcomes = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                IdempotentDestination<String> destination = destination(ledger);
                outcomes.add(pool.submit(() -> destination.send(batch)));
            }
            int applied = 0;
            for (Future<SendOutcome> outcome : outcomes) {
                applied += outcome.get() == SendOutcome.APPLIED ? 1 : 0;
            }
            assertThat(applied).isEqualTo(1);
            assertThat(count()).isEqualTo(3);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Proves design.md row F40 at the destination: a NOT NULL violation fails the batch's
     * transaction; the destination finds the element (in transactions it rolls back) and names it;
     * nothing of the batch, ledger row included, was written, so a later send applies it.
     */
    @Test
    void aRowTheDatabaseRefusesIsNamedAndNothingIsWritten() throws Exception {
        String ledger = PostgresServer.uniqueTable("ledger");
        IdempotentDestination<String> destination =
                JdbcDestination.<String>builder()
                        .url(PostgresServer.jdbcUrl())
                        .insert("INSERT INTO " + table + " (value) VALUES (?)")
                        .binder(
                                (statement, value) ->
                                        statement.setString(1, value.equals("b") ? null : value))
                        .ledgerTable(ledger)
                        .buildFactory()
                        .create();
        assertThatThrownBy(() -> destination.send(batch))
                .isInstanceOfSatisfying(
                        PoisonElementException.class,
                        e -> {
                            assertThat(e.index()).isEqualTo(1);
                            assertThat(e.batch()).isEqualTo(batch.id());
                            assertThat(e.reason()).contains("SQL state 23502");
                        });
        assertThat(count()).isZero();
        // The ledger row went with the rolled-back transaction: a later send applies it.
        assertThat(destination(ledger).send(batch)).isEqualTo(SendOutcome.APPLIED);
    }

    /**
     * Proves design.md row F40: CHECK, value-too-long and duplicate-key refusals each name the
     * element (for a duplicate within the batch, the later one), and no message, cause or
     * suppressed exception quotes a row's value.
     */
    @Test
    void eachKindOfRefusalNamesItsElementWithoutTheRowsData() throws Exception {
        String refusing = PostgresServer.uniqueTable("refusing");
        execute(
                "CREATE TABLE "
                        + refusing
                        + " (id TEXT PRIMARY KEY, code VARCHAR(12) CHECK (code <> 'forbidden-12'))");
        IdempotentDestination<String> destination =
                JdbcDestination.<String>builder()
                        .url(PostgresServer.jdbcUrl())
                        .insert("INSERT INTO " + refusing + " (id, code) VALUES (?, ?)")
                        .binder(
                                (statement, value) -> {
                                    statement.setString(1, value.split("=")[0]);
                                    statement.setString(2, value.split("=")[1]);
                                })
                        .ledgerTable(PostgresServer.uniqueTable("ledger"))
                        .buildFactory()
                        .create();
        assertRefused(destination, List.of("k1=a", "k2=b", "k3=forbidden-12", "k4=c"), 2, "23514");
        assertRefused(destination, List.of("k1=a", "k2=much-too-long-value"), 1, "22001");
        assertRefused(
                destination, List.of("k1=a", "k2=b", "k3=c", "k2=dup-value", "k5=e"), 3, "23505");
    }

    private static void assertRefused(
            IdempotentDestination<String> destination,
            List<String> elements,
            int index,
            String state) {
        Batch<String> refused =
                Batch.of(
                        new StreamPartition("s", "9"),
                        SequenceRange.of(0, elements.size() - 1),
                        elements);
        assertThatThrownBy(() -> destination.send(refused))
                .isInstanceOfSatisfying(
                        PoisonElementException.class,
                        e -> {
                            assertThat(e.index()).isEqualTo(index);
                            assertThat(e.reason()).contains("SQL state " + state);
                            assertThat(Traces.text(e))
                                    .doesNotContain("Failing row")
                                    .doesNotContain("forbidden-12")
                                    .doesNotContain("much-too-long-value")
                                    .doesNotContain("dup-value")
                                    .doesNotContain("(k2)");
                        });
    }

    @Test
    void builderExplainsWhatIsMissing() {
        assertThatThrownBy(
                        () ->
                                JdbcDestination.<String>builder()
                                        .url("jdbc:mysql://x/db")
                                        .buildFactory())
                .hasMessageContaining("needs a PostgreSQL JDBC URL");
        assertThatThrownBy(
                        () ->
                                JdbcDestination.<String>builder()
                                        .url("jdbc:postgresql://x/db")
                                        .buildFactory())
                .hasMessageContaining("insert(");
    }

    private long count() throws Exception {
        try (Connection connection = DriverManager.getConnection(PostgresServer.jdbcUrl());
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT count(*) FROM " + table)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private void execute(String sql) throws Exception {
        try (Connection connection = DriverManager.getConnection(PostgresServer.jdbcUrl());
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
