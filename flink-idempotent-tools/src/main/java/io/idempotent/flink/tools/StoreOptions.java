package io.idempotent.flink.tools;

import io.idempotent.flink.checkpoint.PartitionCheckpointStore;
import io.idempotent.flink.checkpoint.jdbc.PostgresCheckpointStore;
import io.idempotent.flink.checkpoint.jdbc.PostgresCheckpointStoreBuilder;
import io.idempotent.flink.checkpoint.rocksdb.RocksDbCheckpointStore;
import io.idempotent.flink.util.Redact;
import io.idempotent.flink.util.Secrets;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the checkpoints are: a RocksDB directory or a PostgreSQL table. */
public final class StoreOptions {

    @Option(names = "--store", description = "The RocksDB checkpoint store's directory.")
    Path directory;

    @Option(names = "--jdbc-url", description = "A PostgreSQL checkpoint store's JDBC URL.")
    String jdbcUrl;

    @Option(names = "--jdbc-user", description = "The PostgreSQL user.")
    String user;

    @Option(
            names = "--jdbc-password-file",
            description = "A file whose first line is the PostgreSQL user's password.")
    Path passwordFile;

    @Option(
            names = "--jdbc-password-env",
            description = "An environment variable that holds the PostgreSQL user's password.")
    String passwordEnv;

    @Option(
            names = "--jdbc-password",
            description =
                    "The PostgreSQL password itself (visible to anyone who can list processes:"
                            + " prefer --jdbc-password-file or --jdbc-password-env).")
    String password;

    @Option(
            names = "--table",
            defaultValue = PostgresCheckpointStoreBuilder.DEFAULT_TABLE,
            description = "The PostgreSQL checkpoint table (default: ${DEFAULT-VALUE}).")
    String table;

    /** Where the store is, as messages show it (a JDBC URL without its query and user info). */
    public String describe() {
        return directory != null
                ? "RocksDB store " + directory
                : "PostgreSQL store " + Redact.url(jdbcUrl) + " (table " + table + ")";
    }

    /** Opens the store; read-only where the store supports it. */
    public PartitionCheckpointStore open(boolean readOnly) throws IOException {
        if ((directory == null) == (jdbcUrl == null)) {
            throw new IllegalArgumentException(
                    "Name exactly one checkpoint store: --store DIR (RocksDB) or --jdbc-url URL"
                            + " (PostgreSQL).");
        }
        if (directory != null) {
            return readOnly
                    ? RocksDbCheckpointStore.openReadOnly(directory)
                    : RocksDbCheckpointStore.open(directory);
        }
        PostgresCheckpointStoreBuilder builder =
                PostgresCheckpointStore.builder().url(jdbcUrl).table(table);
        if (user != null) {
            builder.username(user);
        }
        String secret = Secrets.password("--jdbc-password", passwordFile, passwordEnv, password);
        if (secret != null) {
            builder.password(secret);
        }
        return builder.build();
    }
}
