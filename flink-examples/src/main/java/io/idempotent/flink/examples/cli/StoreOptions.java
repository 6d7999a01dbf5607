package io.idempotent.flink.examples.cli;

import io.idempotent.flink.checkpoint.PartitionCheckpointStore;
import io.idempotent.flink.checkpoint.jdbc.PostgresCheckpointStore;
import io.idempotent.flink.checkpoint.jdbc.PostgresCheckpointStoreBuilder;
import io.idempotent.flink.checkpoint.rocksdb.RocksDbCheckpointStore;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the checkpoints are: a RocksDB directory or a PostgreSQL table. */
final class StoreOptions {

    @Option(names = "--store", description = "The RocksDB checkpoint store's directory.")
    Path directory;

    @Option(names = "--jdbc-url", description = "A PostgreSQL checkpoint store's JDBC URL.")
    String jdbcUrl;

    @Option(names = "--jdbc-user", description = "The PostgreSQL user.")
    String user;

    @Option(names = "--jdbc-password", description = "The PostgreSQL password.")
    String password;

    @Option(
            names = "--table",
            defaultValue = PostgresCheckpointStoreBuilder.DEFAULT_TABLE,
            description = "The PostgreSQL checkpoint table (default: ${DEFAULT-VALUE}).")
    String table;

    /** Opens the store; read-only where the store supports it. */
    PartitionCheckpointStore open(boolean readOnly) {
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
        if (password != null) {
            builder.password(password);
        }
        return builder.build();
    }
}
