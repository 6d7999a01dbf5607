package io.idempotent.flink.storage;

import io.idempotent.flink.util.Redact;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.apache.flink.annotation.Internal;

/**
 * One lazily opened JDBC connection, replaced after it breaks, and the transaction boilerplate
 * around it. Callers serialize access.
 */
@Internal
public final class PostgresConnections implements AutoCloseable {

    private final String url;
    private final Properties properties;
    private Connection connection;

    public PostgresConnections(String url, Properties properties) {
        this.url = url;
        this.properties = properties;
    }

    /**
     * Runs {@code work} in one transaction, committed with the given durability. On failure the
     * transaction is rolled back (and a broken connection replaced next time) and the error thrown.
     */
    public <T> T inTransaction(WriteDurability durability, Work<T> work) throws SQLException {
        // Set per transaction: the server's default may be either.
        return transaction(
                durability == WriteDurability.SYNCED
                        ? "SET LOCAL synchronous_commit TO ON"
                        : "SET LOCAL synchronous_commit TO OFF",
                work,
                true);
    }

    /**
     * Runs {@code work} in one transaction that is always rolled back: a probe that leaves nothing
     * behind. Constraints are checked at each statement, deferred ones too.
     */
    public <T> T inRolledBackTransaction(Work<T> work) throws SQLException {
        return transaction("SET CONSTRAINTS ALL IMMEDIATE", work, false);
    }

    /** {@code setting}, then {@code work}, then a commit or a rollback; a rollback on failure. */
    private <T> T transaction(String setting, Work<T> work, boolean commit) throws SQLException {
        Connection current = null;
        try {
            current = connection();
            try (Statement statement = current.createStatement()) {
                statement.execute(setting);
            }
            T result = work.run(current);
            if (commit) {
                current.commit();
            } else {
                current.rollback();
            }
            return result;
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(current, e);
            throw e;
        }
    }

    /** The URL as messages show it: without a query or user info, which may hold a password. */
    public String url() {
        return Redact.url(url);
    }

    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = open();
            connection.setAutoCommit(false);
        }
        return connection;
    }

    /**
     * Opens a connection with the PostgreSQL driver itself, never through {@code DriverManager}: it
     * hands out only drivers registered from the caller's class loader, and on a Flink cluster each
     * job has its own, where the driver a job jar bundles is registered only once its class is
     * first initialised (a fresh job would fail once with "No suitable driver").
     */
    private Connection open() throws SQLException {
        Driver driver;
        try {
            driver = new org.postgresql.Driver();
        } catch (NoClassDefFoundError e) {
            throw new SQLException(
                    "The PostgreSQL JDBC driver (org.postgresql:postgresql) is not on the class"
                            + " path: bundle it in the job jar or put it in Flink's lib/.",
                    e);
        }
        Connection opened = driver.connect(url, properties);
        if (opened == null) {
            throw new SQLException("Not a PostgreSQL JDBC URL: " + url());
        }
        return opened;
    }

    private void rollbackQuietly(Connection current, Exception failure) {
        if (current == null) {
            return;
        }
        try {
            current.rollback();
        } catch (SQLException rollbackFailure) {
            failure.addSuppressed(rollbackFailure);
            // The connection is broken: open a new one next time.
            closeQuietly(failure);
        }
    }

    private void closeQuietly(Exception failure) {
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException closeFailure) {
            failure.addSuppressed(closeFailure);
        } finally {
            connection = null;
        }
    }

    @Override
    public void close() {
        closeQuietly(new SQLException("closing " + url()));
    }

    /** Work inside a transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }
}
