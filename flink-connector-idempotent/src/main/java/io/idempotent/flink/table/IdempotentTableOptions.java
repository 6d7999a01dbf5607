package io.idempotent.flink.table;

import static org.apache.flink.configuration.ConfigOptions.key;

import io.idempotent.flink.destination.http.HttpDestinationBuilder;
import io.idempotent.flink.destination.jdbc.JdbcDestinationBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.table.factories.FactoryUtil;

/**
 * The options of {@code 'connector' = 'idempotent'} tables, besides the source's {@link
 * io.idempotent.flink.source.IdempotentSourceOptions} and the {@code format}.
 */
@PublicEvolving
public final class IdempotentTableOptions {

    /** Which partitioned stream a table reads. */
    public enum StreamKind {
        /** The embedded stream in a local directory. */
        LOCAL,
        /** A Kafka topic. */
        KAFKA
    }

    /** Which bundled destination a table writes to. */
    public enum DestinationKind {
        /** One file per batch under a directory; needs a format. */
        FILE,
        /** Rows of a PostgreSQL table, one column per table column. */
        JDBC,
        /** One HTTP POST per batch, one encoded row per line; needs a format. */
        HTTP
    }

    /** Where partition checkpoints are kept, for origin identities. */
    public enum CheckpointStoreKind {
        /** RocksDB in a local directory: every task in one JVM. */
        ROCKSDB,
        /** A PostgreSQL table: a cluster of several processes. */
        POSTGRES
    }

    public static final ConfigOption<CheckpointStoreKind> CHECKPOINT_STORE =
            key("checkpoint-store")
                    .enumType(CheckpointStoreKind.class)
                    .noDefaultValue()
                    .withDescription(
                            "The partition checkpoint store, for origin identities: set it, the"
                                    + " same, on a source table and on the sink table it feeds,"
                                    + " and select the source's 'origin' metadata column into the"
                                    + " sink's 'origin' metadata column. Then the sink delivers"
                                    + " as IdempotentSink does (eagerly by default, a brand-new"
                                    + " job resuming from the store), instead of at completed"
                                    + " checkpoints.");

    public static final ConfigOption<String> CHECKPOINT_STORE_ROCKSDB_PATH =
            key("checkpoint-store.rocksdb.path")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("The RocksDB store's directory.");

    public static final ConfigOption<String> CHECKPOINT_STORE_POSTGRES_URL =
            key("checkpoint-store.postgres.url")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("The PostgreSQL store's JDBC URL.");

    public static final ConfigOption<String> CHECKPOINT_STORE_POSTGRES_USERNAME =
            key("checkpoint-store.postgres.username")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("The PostgreSQL store's database user.");

    public static final ConfigOption<String> CHECKPOINT_STORE_POSTGRES_PASSWORD =
            key("checkpoint-store.postgres.password")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("The PostgreSQL store's database user's password.");

    public static final ConfigOption<StreamKind> STREAM =
            key("stream")
                    .enumType(StreamKind.class)
                    .noDefaultValue()
                    .withDescription("The stream a source table reads: 'local' or 'kafka'.");

    public static final ConfigOption<String> STREAM_LOCAL_PATH =
            key("stream.local.path")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "The directory of the embedded stream, as created by LocalStream.create"
                                    + " or the CLI's 'create' command.");

    public static final ConfigOption<String> STREAM_KAFKA_BOOTSTRAP_SERVERS =
            key("stream.kafka.bootstrap-servers")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("The Kafka brokers to bootstrap from, host:port[,...].");

    public static final ConfigOption<String> STREAM_KAFKA_TOPIC =
            key("stream.kafka.topic")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("The Kafka topic to read; its partitions are the stream's.");

    /**
     * Table options under this prefix go to the Kafka client without it, as in Flink's Kafka
     * connector: {@code 'stream.kafka.properties.security.protocol' = 'SASL_SSL'}, {@code
     * 'stream.kafka.properties.sasl.jaas.config' = '…'}, {@code
     * 'stream.kafka.properties.ssl.truststore.location' = '…'}.
     */
    public static final String STREAM_KAFKA_PROPERTIES_PREFIX = "stream.kafka.properties.";

    /**
     * Table options under this prefix go to the PostgreSQL driver of the checkpoint store without
     * it, e.g. {@code 'checkpoint-store.postgres.properties.sslpassword' = '…'}.
     */
    public static final String CHECKPOINT_STORE_POSTGRES_PROPERTIES_PREFIX =
            "checkpoint-store.postgres.properties.";

    /**
     * Table options under this prefix go to the destination's PostgreSQL driver without it, e.g.
     * {@code 'destination.jdbc.properties.sslmode' = 'verify-full'}.
     */
    public static final String JDBC_PROPERTIES_PREFIX = "destination.jdbc.properties.";

    public static final ConfigOption<DestinationKind> DESTINATION =
            key("destination")
                    .enumType(DestinationKind.class)
                    .noDefaultValue()
                    .withDescription(
                            "The destination a sink table writes to: 'file', 'jdbc' or 'http'.");

    public static final ConfigOption<String> SINK_NAME =
            key("sink.name")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Keeps this sink's batch identities apart from other sinks' in the"
                                    + " same destination: 1 to 64 letters, digits, '.', '_' or"
                                    + " '-', starting with a letter or digit, as in the DataStream"
                                    + " API. Default: the table's name. Changing it makes a"
                                    + " restored job's re-sends look new.");

    /** Flink's own {@code sink.parallelism}, listed here so that the docs show it. */
    public static final ConfigOption<Integer> SINK_PARALLELISM = FactoryUtil.SINK_PARALLELISM;

    public static final ConfigOption<String> FILE_PATH =
            key("destination.file.path")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "The directory that receives one file per batch. The file system must"
                                    + " rename atomically within a directory.");

    public static final ConfigOption<String> JDBC_URL =
            key("destination.jdbc.url")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("jdbc:postgresql://host:port/database");

    public static final ConfigOption<String> JDBC_TABLE =
            key("destination.jdbc.table")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "The PostgreSQL table that receives the rows; its columns are named"
                                    + " as the Flink table's.");

    public static final ConfigOption<String> JDBC_USERNAME =
            key("destination.jdbc.username")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("The database user.");

    public static final ConfigOption<String> JDBC_PASSWORD =
            key("destination.jdbc.password")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("The database user's password.");

    public static final ConfigOption<String> JDBC_LEDGER_TABLE =
            key("destination.jdbc.ledger-table")
                    .stringType()
                    .defaultValue(JdbcDestinationBuilder.DEFAULT_LEDGER_TABLE)
                    .withDescription(
                            "The table, created if missing, that records the identities of the"
                                    + " batches written, in the same transaction as their rows.");

    public static final ConfigOption<Boolean> JDBC_ROW_DATA_IN_ERRORS =
            key("destination.jdbc.row-data-in-errors")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Whether the database's messages may quote a refused row's values"
                                    + " (\"Failing row contains (…)\", a key's value) in"
                                    + " exceptions and logs. Off: rows stay out of messages.");

    public static final ConfigOption<String> HTTP_URL =
            key("destination.http.url")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "The endpoint batches are POSTed to, with an Idempotency-Key header.");

    public static final ConfigOption<Duration> HTTP_REQUEST_TIMEOUT =
            key("destination.http.request-timeout")
                    .durationType()
                    .defaultValue(HttpDestinationBuilder.DEFAULT_REQUEST_TIMEOUT)
                    .withDescription("How long one request may take before it counts as failed.");

    public static final ConfigOption<Integer> HTTP_MAX_ATTEMPTS =
            key("destination.http.max-attempts")
                    .intType()
                    .defaultValue(HttpDestinationBuilder.DEFAULT_MAX_ATTEMPTS)
                    .withDescription(
                            "Attempts per batch before the send fails and the job fails over.");

    public static final ConfigOption<Map<String, String>> HTTP_HEADERS =
            key("destination.http-headers")
                    .mapType()
                    .defaultValue(Map.of())
                    .withDescription(
                            "Headers sent with every request, e.g."
                                    + " 'Authorization:Bearer <token>'. Their values never appear"
                                    + " in a log line, an error message or the plan (Flink masks"
                                    + " keys with 'http-headers' in its own messages).");

    public static final ConfigOption<String> HTTP_SUCCESS_STATUSES =
            key("destination.http.success-statuses")
                    .stringType()
                    .defaultValue(HttpDestinationBuilder.DEFAULT_SUCCESS_STATUSES)
                    .withDescription(
                            "The statuses that say the server applied a batch: codes, ranges and"
                                    + " classes, e.g. '200,201,204'. Any other status is a failed"
                                    + " send, never a commit.");

    public static final ConfigOption<String> HTTP_PERMANENT_ERROR_STATUSES =
            key("destination.http.permanent-error-statuses")
                    .stringType()
                    .defaultValue(HttpDestinationBuilder.DEFAULT_PERMANENT_ERROR_STATUSES)
                    .withDescription(
                            "The statuses that refuse a batch for good: the job stops without"
                                    + " restarts naming the batch (for a batch of one row, the"
                                    + " row). Other 4xx statuses fail the send and the job fails"
                                    + " over; 408, 409, 425, 429 and 5xx are retried.");

    public static final ConfigOption<List<String>> HTTP_REQUIRED_RESPONSE_HEADERS =
            key("destination.http.required-response-headers")
                    .stringType()
                    .asList()
                    .defaultValues()
                    .withDescription(
                            "Headers a success must carry to count as applied, e.g. one the API"
                                    + " always sets and a proxy's or login page's 200 lacks;"
                                    + " separated by ';'.");

    public static final ConfigOption<Boolean> HTTP_REQUIRE_ECHOED_KEY =
            key("destination.http.require-echoed-idempotency-key")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "A success counts as applied only if it echoes the request's"
                                    + " Idempotency-Key header with the same value.");

    public static final ConfigOption<String> HTTP_TRUSTSTORE_LOCATION =
            key("destination.http.ssl.truststore.location")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "A PKCS12 or JKS file, on every TaskManager, with the certificates to"
                                    + " trust for https:// instead of the JVM's default ones.");

    public static final ConfigOption<String> HTTP_TRUSTSTORE_PASSWORD =
            key("destination.http.ssl.truststore.password")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("The trust store's password.");

    public static final ConfigOption<String> HTTP_KEYSTORE_LOCATION =
            key("destination.http.ssl.keystore.location")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "A PKCS12 or JKS file, on every TaskManager, with the client"
                                    + " certificate and key for mutual TLS.");

    public static final ConfigOption<String> HTTP_KEYSTORE_PASSWORD =
            key("destination.http.ssl.keystore.password")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("The key store's password, which also opens its key.");

    public static final ConfigOption<Boolean> HTTP_ALLOW_CREDENTIALS_OVER_HTTP =
            key("destination.http.allow-credentials-over-http")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Allows credentials (an Authorization or other credential header,"
                                    + " user info or a token in the URL) over plain http://,"
                                    + " where anyone on the way can read them; refused by"
                                    + " default. Only for a network you trust, such as a sidecar"
                                    + " on the same host.");

    private IdempotentTableOptions() {}
}
