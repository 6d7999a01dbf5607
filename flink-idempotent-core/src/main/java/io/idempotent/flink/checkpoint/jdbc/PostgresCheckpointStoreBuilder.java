package io.idempotent.flink.checkpoint.jdbc;

import io.idempotent.flink.checkpoint.CheckpointStoreFactory;
import io.idempotent.flink.storage.PostgresConnections;
import io.idempotent.flink.storage.WriteDurability;
import io.idempotent.flink.util.Redact;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Pattern;
import org.apache.flink.annotation.PublicEvolving;

/** Builds a {@link PostgresCheckpointStore}; {@link #build()} validates and connects. */
@PublicEvolving
public final class PostgresCheckpointStoreBuilder {

    /** The table the store uses unless told otherwise. */
    public static final String DEFAULT_TABLE = "idempotent_partition_checkpoints";

    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private String url;
    private final Properties properties = new Properties();
    private String table = DEFAULT_TABLE;
    private WriteDurability durability = WriteDurability.SYNCED;

    PostgresCheckpointStoreBuilder() {}

    /** The JDBC URL, {@code jdbc:postgresql://host:port/database}. Required. */
    public PostgresCheckpointStoreBuilder url(String url) {
        this.url = url;
        return this;
    }

    public PostgresCheckpointStoreBuilder username(String username) {
        properties.setProperty("user", Objects.requireNonNull(username, "username"));
        return this;
    }

    public PostgresCheckpointStoreBuilder password(String password) {
        properties.setProperty("password", Objects.requireNonNull(password, "password"));
        return this;
    }

    /** Any other property of the PostgreSQL JDBC driver, such as {@code connectTimeout}. */
    public PostgresCheckpointStoreBuilder property(String key, String value) {
        properties.setProperty(key, value);
        return this;
    }

    /** The table, created if missing: a lower-case SQL identifier. One pipeline per table. */
    public PostgresCheckpointStoreBuilder table(String table) {
        this.table = table;
        return this;
    }

    public PostgresCheckpointStoreBuilder durability(WriteDurability durability) {
        this.durability = Objects.requireNonNull(durability, "durability");
        return this;
    }

    /**
     * A factory that connects where the job runs, with this configuration; validated now, so that a
     * wrong URL or table name fails when the job is built, not when it runs.
     */
    public CheckpointStoreFactory buildFactory() {
        validate();
        String factoryUrl = url;
        Properties factoryProperties = new Properties();
        factoryProperties.putAll(properties);
        String factoryTable = table;
        WriteDurability factoryDurability = durability;
        return () -> {
            PostgresCheckpointStoreBuilder copy = new PostgresCheckpointStoreBuilder();
            copy.url = factoryUrl;
            copy.properties.putAll(factoryProperties);
            copy.table = factoryTable;
            copy.durability = factoryDurability;
            return copy.build();
        };
    }

    /** Connects, creates the table if it is missing and checks it if it exists. */
    public PostgresCheckpointStore build() {
        validate();
        Properties connectionProperties = new Properties();
        connectionProperties.putAll(properties);
        connectionProperties.putIfAbsent("connectTimeout", "10");
        connectionProperties.putIfAbsent("socketTimeout", "60");
        PostgresConnections connections = new PostgresConnections(url, connectionProperties);
        try {
            return new PostgresCheckpointStore(connections, table, durability);
        } catch (RuntimeException e) {
            connections.close();
            throw e;
        }
    }

    private void validate() {
        if (url == null || !url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException(
                    "The PostgreSQL checkpoint store needs a JDBC URL of the form"
                            + " jdbc:postgresql://host:port/database, but got "
                            + (url == null ? "none" : "'" + Redact.url(url) + "'")
                            + ".");
        }
        if (table == null || !IDENTIFIER.matcher(table).matches()) {
            throw new IllegalArgumentException(
                    "The checkpoint table name must be a lower-case SQL identifier"
                            + " ([a-z_][a-z0-9_]*, at most 63 characters), but got '"
                            + table
                            + "'.");
        }
    }
}
