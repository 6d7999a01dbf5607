package io.idempotent.flink.examples.job;

import io.idempotent.flink.checkpoint.CheckpointStoreFactory;
import io.idempotent.flink.checkpoint.jdbc.PostgresCheckpointStore;
import io.idempotent.flink.destination.jdbc.JdbcDestination;
import io.idempotent.flink.origin.Traced;
import io.idempotent.flink.sink.IdempotentSink;
import io.idempotent.flink.source.IdempotentSource;
import io.idempotent.flink.source.IdempotentSourceBuilder;
import io.idempotent.flink.source.StartingPosition;
import io.idempotent.flink.stream.PartitionRecord;
import io.idempotent.flink.stream.kafka.KafkaPartitionedStream;
import io.idempotent.flink.util.Secrets;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Pattern;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ParameterTool;
import org.apache.flink.util.TimeUtils;

/**
 * The example pipeline for a Flink cluster, the main class of the job jar: a Kafka topic → {@link
 * IdempotentSource} → a transformation → {@link IdempotentSink} → a PostgreSQL table, with the
 * checkpoint store in the same PostgreSQL database.
 *
 * <pre>
 * flink run flink-examples-VERSION-job.jar --bootstrap-servers broker:9092 --topic orders \
 *     --jdbc-url jdbc:postgresql://db:5432/app [--jdbc-user U --jdbc-password-file F] \
 *     [--kafka-properties client.properties] \
 *     [--table delivered] [--sink cluster-example] [--checkpoint-interval 10s] [--bounded]
 * </pre>
 *
 * <p>Each record becomes a row {@code (stream_partition, seq, payload)} of {@code --table}, which
 * the job creates if it is missing, with an {@code arrival} column numbering the rows in the order
 * they were written: what a verifier needs to count lost, duplicated and reordered records.
 */
public final class ClusterJob {

    private static final Pattern TABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

    private ClusterJob() {}

    public static void main(String[] args) throws Exception {
        ParameterTool params = ParameterTool.fromArgs(args);
        if (params.has("help")) {
            System.out.println(usage());
            return;
        }
        requireKnownOptions(params);
        String bootstrap = required(params, "bootstrap-servers");
        String topic = required(params, "topic");
        String url = required(params, "jdbc-url");
        String table = params.get("table", "delivered");
        if (!TABLE.matcher(table).matches()) {
            throw new IllegalArgumentException(
                    "--table must be a plain table name (letters, digits, '_'), but got '"
                            + table
                            + "'.");
        }
        Properties credentials = new Properties();
        if (params.has("jdbc-user")) {
            credentials.setProperty("user", params.get("jdbc-user"));
        }
        String password = password(params);
        if (password != null) {
            credentials.setProperty("password", password);
        }
        createTable(url, credentials, table);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        Duration interval = TimeUtils.parseDuration(params.get("checkpoint-interval", "10 s"));
        env.enableCheckpointing(interval.toMillis());

        IdempotentSourceBuilder source =
                IdempotentSource.builder().stream(
                                KafkaPartitionedStream.factory(
                                        bootstrap, topic, kafkaProperties(params)))
                        .startingFrom(StartingPosition.CHECKPOINT_STORE)
                        .checkpointStore(store(url, credentials));
        if (params.has("bounded")) {
            source.bounded();
        }
        var destination =
                JdbcDestination.<Row>builder()
                        .url(url)
                        .insert(
                                "INSERT INTO "
                                        + table
                                        + " (stream_partition, seq, payload) VALUES (?, ?, ?)")
                        .binder(
                                (statement, row) -> {
                                    statement.setString(1, row.partition);
                                    statement.setLong(2, row.sequence);
                                    statement.setString(3, row.payload);
                                })
                        .ledgerTable(table + "_ledger");
        if (credentials.containsKey("user")) {
            destination.username(credentials.getProperty("user"));
        }
        if (credentials.containsKey("password")) {
            destination.password(credentials.getProperty("password"));
        }
        IdempotentSink<Row> sink =
                IdempotentSink.<Row>builder()
                        .name(params.get("sink", "cluster-example"))
                        .destination(destination.buildFactory())
                        .checkpointStore(store(url, credentials))
                        .build();

        env.fromSource(source.build(), WatermarkStrategy.noWatermarks(), "kafka " + topic)
                .map(new Transform())
                .returns(TypeInformation.of(new TypeHint<Traced<Row>>() {}))
                .name("transform")
                .sinkTo(sink)
                .name("postgres " + table);
        env.execute("idempotent-cluster-example");
    }

    static String usage() {
        return String.join(
                System.lineSeparator(),
                "Reads a Kafka topic and delivers each record exactly once into a PostgreSQL table.",
                "  --bootstrap-servers HOST:PORT  the Kafka brokers (required)",
                "  --topic NAME                   the topic to read (required)",
                "  --jdbc-url URL                 jdbc:postgresql://host:port/db, for the table and"
                        + " the checkpoint store (required)",
                "  --jdbc-user U                  the database user (default: none)",
                "  --jdbc-password-file F         a file whose first line is the user's password",
                "  --jdbc-password-env NAME       an environment variable that holds it",
                "  --jdbc-password P              the password itself (visible to anyone who can"
                        + " list processes or read the web UI: prefer the two above)",
                "  --kafka-properties F           a Java properties file with Kafka client"
                        + " settings (security.protocol, sasl.*, ssl.*), read where the job's"
                        + " main method runs",
                "  --table NAME                   the destination table (default: delivered)",
                "  --sink NAME                    the sink's name, scoping its checkpoints"
                        + " (default: cluster-example)",
                "  --checkpoint-interval D        Flink's checkpoint interval (default: 10 s)",
                "  --bounded                      stop at the topic's end as it is at the start");
    }

    /** The options {@link #usage} lists. */
    private static final java.util.Set<String> OPTIONS =
            java.util.Set.of(
                    "bootstrap-servers",
                    "topic",
                    "jdbc-url",
                    "jdbc-user",
                    "jdbc-password",
                    "jdbc-password-file",
                    "jdbc-password-env",
                    "kafka-properties",
                    "table",
                    "sink",
                    "checkpoint-interval",
                    "bounded",
                    "help");

    /** Refuses an option the job does not know (a typo would otherwise pass unnoticed). */
    static void requireKnownOptions(ParameterTool params) {
        for (String option : params.toMap().keySet()) {
            if (!OPTIONS.contains(option)) {
                throw new IllegalArgumentException(
                        "Unknown option --" + option + "." + System.lineSeparator() + usage());
            }
        }
    }

    /** The database password from a file, an environment variable or the argument, if any. */
    static String password(ParameterTool params) throws IOException {
        return Secrets.password(
                "--jdbc-password",
                params.has("jdbc-password-file")
                        ? Path.of(required(params, "jdbc-password-file"))
                        : null,
                params.has("jdbc-password-env") ? required(params, "jdbc-password-env") : null,
                params.get("jdbc-password"));
    }

    /** The Kafka client's settings from {@code --kafka-properties}, if given. */
    static Properties kafkaProperties(ParameterTool params) throws IOException {
        return Secrets.properties(
                "--kafka-properties",
                params.has("kafka-properties")
                        ? Path.of(required(params, "kafka-properties"))
                        : null);
    }

    private static String required(ParameterTool params, String name) {
        String value = params.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(
                    "Missing --" + name + "." + System.lineSeparator() + usage());
        }
        return value;
    }

    private static CheckpointStoreFactory store(String url, Properties credentials) {
        var store = PostgresCheckpointStore.builder().url(url);
        if (credentials.containsKey("user")) {
            store.username(credentials.getProperty("user"));
        }
        if (credentials.containsKey("password")) {
            store.password(credentials.getProperty("password"));
        }
        return store.buildFactory();
    }

    private static void createTable(String url, Properties credentials, String table)
            throws SQLException {
        try (Connection connection = new org.postgresql.Driver().connect(url, credentials);
                Statement statement = connection.createStatement()) {
            statement.execute(
                    "CREATE TABLE IF NOT EXISTS "
                            + table
                            + " (arrival BIGSERIAL PRIMARY KEY, stream_partition TEXT NOT NULL,"
                            + " seq BIGINT NOT NULL, payload TEXT NOT NULL)");
        }
    }

    /** One delivered row. */
    public static final class Row implements Serializable {
        private static final long serialVersionUID = 1L;

        public String partition;
        public long sequence;
        public String payload;

        public Row() {}

        Row(String partition, long sequence, String payload) {
            this.partition = partition;
            this.sequence = sequence;
            this.payload = payload;
        }
    }

    /** Upper-cases the payload: deterministic, as the guarantee requires. */
    static final class Transform implements MapFunction<Traced<PartitionRecord>, Traced<Row>> {
        private static final long serialVersionUID = 1L;

        @Override
        public Traced<Row> map(Traced<PartitionRecord> traced) {
            return traced.map(
                    record ->
                            new Row(
                                    record.partition(),
                                    record.sequence(),
                                    new String(record.payload(), StandardCharsets.UTF_8)
                                            .toUpperCase(Locale.ROOT)));
        }
    }
}
