package io.idempotent.flink.destination.jdbc;

import io.idempotent.flink.destination.Batch;
import io.idempotent.flink.destination.IdempotentDestination;
import io.idempotent.flink.destination.PoisonElementException;
import io.idempotent.flink.destination.SendOutcome;
import io.idempotent.flink.destination.UnencodableElementException;
import io.idempotent.flink.storage.PostgresConnections;
import io.idempotent.flink.storage.WriteDurability;
import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Writes each batch into PostgreSQL in one transaction together with a row for its identity in a
 * ledger table. A repeat finds the ledger row and writes nothing; two owners sending the same
 * identity at once serialize on the ledger's primary key, and the second writes nothing.
 *
 * <p>For exactly-once the batch's rows must be written only through this destination, with its
 * ledger, and the ledger must keep an identity at least as long as a batch can stay pending.
 *
 * <pre>{@code
 * DestinationFactory<Order> orders =
 *         JdbcDestination.<Order>builder()
 *                 .url("jdbc:postgresql://db:5432/shop")
 *                 .insert("INSERT INTO orders (id, amount) VALUES (?, ?)")
 *                 .binder((statement, order) -> {
 *                     statement.setString(1, order.id());
 *                     statement.setBigDecimal(2, order.amount());
 *                 })
 *                 .buildFactory();
 * }</pre>
 */
@PublicEvolving
public final class JdbcDestination<T> implements IdempotentDestination<T> {

    private final PostgresConnections connections;
    private final String insert;
    private final JdbcStatementBinder<T> binder;
    private final String ledgerTable;

    JdbcDestination(
            String url,
            Properties properties,
            String insert,
            JdbcStatementBinder<T> binder,
            String ledgerTable) {
        this.connections = new PostgresConnections(url, properties);
        this.insert = insert;
        this.binder = binder;
        this.ledgerTable = ledgerTable;
    }

    public static <T> JdbcDestinationBuilder<T> builder() {
        return new JdbcDestinationBuilder<>();
    }

    /** Creates the ledger table if it is missing; called once when the destination is created. */
    void createLedger() throws IOException {
        run(
                "create the ledger table " + ledgerTable,
                connection -> {
                    try (PreparedStatement lock =
                            connection.prepareStatement(
                                    "SELECT pg_advisory_xact_lock(hashtext(?))")) {
                        lock.setString(1, "io.idempotent.flink:" + ledgerTable);
                        lock.execute();
                    }
                    try (Statement statement = connection.createStatement()) {
                        statement.execute(
                                "CREATE TABLE IF NOT EXISTS "
                                        + ledgerTable
                                        + " (batch_id TEXT PRIMARY KEY, stream TEXT NOT NULL,"
                                        + " partition_name TEXT NOT NULL, range_from BIGINT NOT NULL,"
                                        + " range_to BIGINT NOT NULL, elements INT NOT NULL,"
                                        + " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())");
                    }
                    return null;
                });
    }

    @Override
    public SendOutcome send(Batch<T> batch) throws IOException {
        try {
            return write(batch);
        } catch (Unencodable e) {
            throw e.element;
        } catch (IOException e) {
            if (!(e.getCause() instanceof SQLException sql) || refusal(sql) == null) {
                throw e;
            }
            PoisonElementException poison = locate(batch);
            if (poison == null) {
                throw e;
            }
            poison.addSuppressed(e);
            throw poison;
        }
    }

    /**
     * The database's refusal of a row in {@code failure}'s chain: SQL state class 22 (data
     * exception: a value too long, out of range, invalid) or 23 (integrity constraint: NOT NULL,
     * CHECK, UNIQUE, FOREIGN KEY); {@code null} if it is none.
     */
    @Nullable
    private static SQLException refusal(SQLException failure) {
        SQLException found = null;
        // The last one: a batch's own exception comes first, the server's error after it.
        for (SQLException e = failure; e != null; e = e.getNextException()) {
            String state = e.getSQLState();
            if (state != null && (state.startsWith("22") || state.startsWith("23"))) {
                found = e;
            }
        }
        return found;
    }

    /**
     * Finds the element whose row the database refuses, in transactions that are rolled back: the
     * shortest prefix of the batch that fails ends with it (a row can also be refused for an
     * earlier row of the same batch, e.g. a duplicate key: the later one is named). {@code null} if
     * the batch's rows no longer fail, or the probe fails otherwise.
     */
    @Nullable
    private PoisonElementException locate(Batch<T> batch) {
        List<T> elements = batch.elements();
        int passing = 0; // the longest prefix known to pass
        int failing = elements.size(); // the shortest prefix known to fail (if the probe agrees)
        SQLException failure;
        try {
            failure = probe(elements, failing);
            if (failure == null) {
                return null;
            }
            while (failing - passing > 1) {
                int middle = (passing + failing) >>> 1;
                SQLException atMiddle = probe(elements, middle);
                if (atMiddle == null) {
                    passing = middle;
                } else {
                    failing = middle;
                    failure = atMiddle;
                }
            }
        } catch (SQLException e) {
            return null;
        }
        return new PoisonElementException(
                batch.id(),
                failing - 1,
                String.format(
                        "the database refuses its row (SQL state %s: %s)",
                        failure.getSQLState(), firstLine(failure.getMessage())),
                null);
    }

    /** Inserts the first {@code count} rows and rolls back: the refusal, or {@code null}. */
    @Nullable
    private SQLException probe(List<T> elements, int count) throws SQLException {
        return connections.inRolledBackTransaction(
                connection -> {
                    try (PreparedStatement rows = connection.prepareStatement(insert)) {
                        for (int i = 0; i < count; i++) {
                            binder.bind(rows, elements.get(i));
                            rows.addBatch();
                        }
                        rows.executeBatch();
                        return null;
                    } catch (SQLException e) {
                        SQLException refusal = refusal(e);
                        if (refusal == null) {
                            throw e;
                        }
                        return refusal;
                    }
                });
    }

    /** A server message without its detail lines, which may quote the row. */
    private static String firstLine(@Nullable String message) {
        if (message == null) {
            return "";
        }
        int end = message.indexOf('\n');
        return (end < 0 ? message : message.substring(0, end)).strip();
    }

    private SendOutcome write(Batch<T> batch) throws IOException {
        return run(
                "write batch " + batch.id(),
                connection -> {
                    try (PreparedStatement ledger =
                            connection.prepareStatement(
                                    "INSERT INTO "
                                            + ledgerTable
                                            + " (batch_id, stream, partition_name, range_from,"
                                            + " range_to, elements) VALUES (?, ?, ?, ?, ?, ?)"
                                            + " ON CONFLICT (batch_id) DO NOTHING")) {
                        ledger.setString(1, batch.id().value());
                        ledger.setString(2, batch.partition().stream());
                        ledger.setString(3, batch.partition().partition());
                        ledger.setLong(4, batch.range().from());
                        ledger.setLong(5, batch.range().to());
                        ledger.setInt(6, batch.elements().size());
                        if (ledger.executeUpdate() == 0) {
                            return SendOutcome.REPEAT_DROPPED;
                        }
                    }
                    try (PreparedStatement rows = connection.prepareStatement(insert)) {
                        List<T> elements = batch.elements();
                        for (int i = 0; i < elements.size(); i++) {
                            try {
                                binder.bind(rows, elements.get(i));
                            } catch (SQLException | RuntimeException e) {
                                throw new Unencodable(
                                        new UnencodableElementException(batch.id(), i, e));
                            }
                            rows.addBatch();
                        }
                        rows.executeBatch();
                    }
                    return SendOutcome.APPLIED;
                });
    }

    private <R> R run(String what, PostgresConnections.Work<R> work) throws IOException {
        try {
            return connections.inTransaction(WriteDurability.SYNCED, work);
        } catch (SQLException e) {
            throw new IOException(
                    String.format(
                            "Cannot %s at %s: %s (SQL state %s). Nothing of it was written.",
                            what, connections.url(), e.getMessage(), e.getSQLState()),
                    e);
        }
    }

    @Override
    public void close() {
        connections.close();
    }

    /** Carries an element the binder refused out of the transaction, which it rolls back. */
    private static final class Unencodable extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final UnencodableElementException element;

        Unencodable(UnencodableElementException element) {
            super(element);
            this.element = element;
        }
    }
}
