package io.idempotent.flink.checkpoint.jdbc;

import io.idempotent.flink.checkpoint.CheckpointStoreException;
import io.idempotent.flink.checkpoint.WriteDurability;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.apache.flink.annotation.Internal;

/**
 * One lazily opened JDBC connection, replaced after it breaks, and the transaction boilerplate
 * around it. Callers serialize access.
 */
@Internal
final class PostgresConnections implements AutoCloseable {

    private final String url;
    private final Properties properties;
    private Connection connection;

    PostgresConnections(String url, Properties properties) {
        this.url = url;
        this.properties = properties;
    }

    <T> T inTransaction(String what, WriteDurability durability, Work<T> work) {
        Connection current = null;
        try {
            current = connection();
            try (Statement statement = current.createStatement()) {
                // Set per transaction: the server's default may be either.
                statement.execute(
                        durability == WriteDurability.SYNCED
                                ? "SET LOCAL synchronous_commit TO ON"
                                : "SET LOCAL synchronous_commit TO OFF");
            }
            T result = work.run(current);
            current.commit();
            return result;
        } catch (SQLException e) {
            rollbackQuietly(current, e);
            throw new CheckpointStoreException(
                    String.format(
                            "Cannot %s in the PostgreSQL checkpoint store at %s: %s (SQL state"
                                    + " %s). Check that the server is reachable and the user may"
                                    + " write the table; the protocol resumes from what the"
                                    + " store holds.",
                            what, url, e.getMessage(), e.getSQLState()),
                    e);
        } catch (RuntimeException e) {
            rollbackQuietly(current, e);
            throw e;
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = DriverManager.getConnection(url, properties);
            connection.setAutoCommit(false);
        }
        return connection;
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
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException e) {
            throw new CheckpointStoreException("Cannot close the connection to " + url, e);
        } finally {
            connection = null;
        }
    }

    @FunctionalInterface
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }
}
