package io.idempotent.flink.destination.jdbc;

import io.idempotent.flink.destination.DestinationFactory;
import io.idempotent.flink.util.Redact;
import io.idempotent.flink.util.Serializability;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Pattern;
import org.apache.flink.annotation.PublicEvolving;

/** Builds a {@link JdbcDestination} factory; {@link #buildFactory()} validates the settings. */
@PublicEvolving
public final class JdbcDestinationBuilder<T> {

    /** The ledger table unless told otherwise. */
    public static final String DEFAULT_LEDGER_TABLE = "idempotent_batches";

    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private String url;
    private final Properties properties = new Properties();
    private String insert;
    private JdbcStatementBinder<T> binder;
    private String ledgerTable = DEFAULT_LEDGER_TABLE;

    JdbcDestinationBuilder() {}

    /** {@code jdbc:postgresql://host:port/database}. Required. */
    public JdbcDestinationBuilder<T> url(String url) {
        this.url = url;
        return this;
    }

    public JdbcDestinationBuilder<T> username(String username) {
        properties.setProperty("user", Objects.requireNonNull(username, "username"));
        return this;
    }

    public JdbcDestinationBuilder<T> password(String password) {
        properties.setProperty("password", Objects.requireNonNull(password, "password"));
        return this;
    }

    /**
     * Whether the database's messages may quote a refused row's values (PostgreSQL's "Failing row
     * contains (…)", a key's value, a failed statement's parameters) in exceptions and logs. Off by
     * default: rows stay out of messages.
     */
    public JdbcDestinationBuilder<T> rowDataInErrors(boolean include) {
        properties.setProperty("logServerErrorDetail", String.valueOf(include));
        return this;
    }

    /**
     * A connection property for the PostgreSQL driver, e.g. {@code sslmode} = {@code verify-full}
     * with {@code sslrootcert}, or {@code sslpassword}.
     */
    public JdbcDestinationBuilder<T> property(String key, String value) {
        properties.setProperty(
                Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return this;
    }

    /** The statement run once per element, e.g. {@code INSERT INTO t (a, b) VALUES (?, ?)}. */
    public JdbcDestinationBuilder<T> insert(String insert) {
        this.insert = insert;
        return this;
    }

    public JdbcDestinationBuilder<T> binder(JdbcStatementBinder<T> binder) {
        this.binder = binder;
        return this;
    }

    /** The ledger of applied identities, in the same database; created if missing. */
    public JdbcDestinationBuilder<T> ledgerTable(String table) {
        this.ledgerTable = table;
        return this;
    }

    public DestinationFactory<T> buildFactory() {
        if (url == null || !url.startsWith("jdbc:postgresql:")) {
            throw new IllegalStateException(
                    "The JDBC destination needs a PostgreSQL JDBC URL"
                            + " (jdbc:postgresql://host:port/database), but got "
                            + (url == null ? "none" : "'" + Redact.url(url) + "'")
                            + ".");
        }
        if (insert == null || insert.isBlank()) {
            throw new IllegalStateException(
                    "The JDBC destination needs the statement that writes one element: call"
                            + " insert(\"INSERT INTO ... VALUES (?, ...)\").");
        }
        if (binder == null) {
            throw new IllegalStateException(
                    "The JDBC destination needs a binder that sets the statement's parameters"
                            + " from an element: call binder(...).");
        }
        if (ledgerTable == null || !IDENTIFIER.matcher(ledgerTable).matches()) {
            throw new IllegalStateException(
                    "The ledger table name must be a lower-case SQL identifier, but got '"
                            + ledgerTable
                            + "'.");
        }
        Serializability.requireSerializable(binder, "JDBC statement binder");
        String factoryUrl = url;
        Properties factoryProperties = new Properties();
        factoryProperties.putAll(properties);
        factoryProperties.putIfAbsent("connectTimeout", "10");
        factoryProperties.putIfAbsent("socketTimeout", "60");
        factoryProperties.putIfAbsent("logServerErrorDetail", "false");
        String factoryInsert = insert;
        JdbcStatementBinder<T> factoryBinder = binder;
        String factoryLedger = ledgerTable;
        return () -> {
            JdbcDestination<T> destination =
                    new JdbcDestination<>(
                            factoryUrl,
                            factoryProperties,
                            factoryInsert,
                            factoryBinder,
                            factoryLedger);
            try {
                destination.createLedger();
            } catch (IOException e) {
                destination.close();
                throw new UncheckedIOException(e);
            }
            return destination;
        };
    }
}
