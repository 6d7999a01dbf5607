package io.idempotent.flink.storage;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * Loaded by {@link PostgresConnectionsTest} in a job's own class loader, as the library and the
 * PostgreSQL driver are when a job jar bundles them: opens a connection the way the store and the
 * JDBC destination do and runs one query.
 */
public final class JobClassLoaderProbe {

    private JobClassLoaderProbe() {}

    /** {@code SELECT 1} over a fresh {@link PostgresConnections}. */
    public static int selectOne(String url) throws SQLException {
        try (PostgresConnections connections = new PostgresConnections(url, new Properties())) {
            return connections.inTransaction(
                    WriteDurability.SYNCED,
                    connection -> {
                        try (Statement statement = connection.createStatement();
                                ResultSet result = statement.executeQuery("SELECT 1")) {
                            result.next();
                            return result.getInt(1);
                        }
                    });
        }
    }
}
