package io.idempotent.flink.table;

import static io.idempotent.flink.table.IdempotentTableOptions.DESTINATION;
import static io.idempotent.flink.table.IdempotentTableOptions.FILE_PATH;
import static io.idempotent.flink.table.IdempotentTableOptions.HTTP_MAX_ATTEMPTS;
import static io.idempotent.flink.table.IdempotentTableOptions.HTTP_REQUEST_TIMEOUT;
import static io.idempotent.flink.table.IdempotentTableOptions.HTTP_URL;
import static io.idempotent.flink.table.IdempotentTableOptions.JDBC_LEDGER_TABLE;
import static io.idempotent.flink.table.IdempotentTableOptions.JDBC_PASSWORD;
import static io.idempotent.flink.table.IdempotentTableOptions.JDBC_TABLE;
import static io.idempotent.flink.table.IdempotentTableOptions.JDBC_URL;
import static io.idempotent.flink.table.IdempotentTableOptions.JDBC_USERNAME;
import static io.idempotent.flink.table.IdempotentTableOptions.SINK_NAME;
import static io.idempotent.flink.table.IdempotentTableOptions.STREAM;
import static io.idempotent.flink.table.IdempotentTableOptions.STREAM_KAFKA_BOOTSTRAP_SERVERS;
import static io.idempotent.flink.table.IdempotentTableOptions.STREAM_KAFKA_TOPIC;
import static io.idempotent.flink.table.IdempotentTableOptions.STREAM_LOCAL_PATH;

import io.idempotent.flink.checkpoint.CheckpointStoreFactory;
import io.idempotent.flink.checkpoint.SinkScopedStore;
import io.idempotent.flink.checkpoint.jdbc.PostgresCheckpointStore;
import io.idempotent.flink.checkpoint.jdbc.PostgresCheckpointStoreBuilder;
import io.idempotent.flink.checkpoint.rocksdb.RocksDbCheckpointStore;
import io.idempotent.flink.sink.IdempotentSinkOptions;
import io.idempotent.flink.source.IdempotentSource;
import io.idempotent.flink.source.IdempotentSourceBuilder;
import io.idempotent.flink.source.IdempotentSourceOptions;
import io.idempotent.flink.source.StartingPosition;
import io.idempotent.flink.storage.WriteDurability;
import io.idempotent.flink.stream.PartitionedStreamFactory;
import io.idempotent.flink.stream.kafka.KafkaPartitionedStream;
import io.idempotent.flink.stream.local.LocalStream;
import io.idempotent.flink.table.IdempotentTableOptions.DestinationKind;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.format.DecodingFormat;
import org.apache.flink.table.connector.format.EncodingFormat;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.factories.DeserializationFormatFactory;
import org.apache.flink.table.factories.DynamicTableSinkFactory;
import org.apache.flink.table.factories.DynamicTableSourceFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.factories.SerializationFormatFactory;

/**
 * {@code 'connector' = 'idempotent'}: a source table reads a partitioned stream, a sink table
 * writes exactly once to a bundled destination. Options are checked when the statement is planned.
 */
@Internal
public final class IdempotentTableFactory
        implements DynamicTableSourceFactory, DynamicTableSinkFactory {

    public static final String IDENTIFIER = "idempotent";

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    /** None in general: a source needs {@code stream}, a sink {@code destination}. */
    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of();
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.of(
                FactoryUtil.FORMAT,
                STREAM,
                STREAM_LOCAL_PATH,
                STREAM_KAFKA_BOOTSTRAP_SERVERS,
                STREAM_KAFKA_TOPIC,
                IdempotentSourceOptions.STARTING_POSITION,
                IdempotentSourceOptions.BOUNDED,
                IdempotentSourceOptions.PARTITION_DISCOVERY_INTERVAL,
                IdempotentSourceOptions.MAX_RECORDS_PER_FETCH,
                IdempotentSourceOptions.RECORD_MAX_FAILURES,
                IdempotentSourceOptions.PER_PARTITION_METRICS,
                IdempotentSinkOptions.BATCH_MAX_RECORDS,
                IdempotentSinkOptions.BATCH_MAX_BYTES,
                IdempotentSinkOptions.DELIVERY_MODE,
                IdempotentSinkOptions.BATCH_MAX_DELAY,
                IdempotentSinkOptions.PER_PARTITION_METRICS,
                IdempotentTableOptions.CHECKPOINT_STORE,
                IdempotentTableOptions.CHECKPOINT_STORE_ROCKSDB_PATH,
                IdempotentTableOptions.CHECKPOINT_STORE_POSTGRES_URL,
                IdempotentTableOptions.CHECKPOINT_STORE_POSTGRES_USERNAME,
                IdempotentTableOptions.CHECKPOINT_STORE_POSTGRES_PASSWORD,
                DESTINATION,
                SINK_NAME,
                FILE_PATH,
                JDBC_URL,
                JDBC_TABLE,
                JDBC_USERNAME,
                JDBC_PASSWORD,
                JDBC_LEDGER_TABLE,
                IdempotentTableOptions.JDBC_ROW_DATA_IN_ERRORS,
                HTTP_URL,
                HTTP_REQUEST_TIMEOUT,
                HTTP_MAX_ATTEMPTS,
                IdempotentTableOptions.HTTP_HEADERS,
                IdempotentTableOptions.HTTP_SUCCESS_STATUSES,
                IdempotentTableOptions.HTTP_PERMANENT_ERROR_STATUSES,
                IdempotentTableOptions.HTTP_REQUIRED_RESPONSE_HEADERS,
                IdempotentTableOptions.HTTP_REQUIRE_ECHOED_KEY,
                IdempotentTableOptions.HTTP_TRUSTSTORE_LOCATION,
                IdempotentTableOptions.HTTP_TRUSTSTORE_PASSWORD,
                IdempotentTableOptions.HTTP_KEYSTORE_LOCATION,
                IdempotentTableOptions.HTTP_KEYSTORE_PASSWORD,
                IdempotentTableOptions.HTTP_ALLOW_CREDENTIALS_OVER_HTTP,
                IdempotentTableOptions.SINK_PARALLELISM);
    }

    /**
     * The table's source, or, if its options are refused, a {@link RefusedTable} that says why
     * while the statement is planned, without Flink's listing of the table's options.
     */
    @Override
    public DynamicTableSource createDynamicTableSource(Context context) {
        try {
            return source(context);
        } catch (RuntimeException refused) {
            return new RefusedTable(refused);
        }
    }

    /** The table's sink, or a {@link RefusedTable} (see {@link #createDynamicTableSource}). */
    @Override
    public DynamicTableSink createDynamicTableSink(Context context) {
        try {
            return sink(context);
        } catch (RuntimeException refused) {
            return new RefusedTable(refused);
        }
    }

    private DynamicTableSource source(Context context) {
        FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
        DecodingFormat<DeserializationSchema<RowData>> format =
                helper.discoverDecodingFormat(
                        DeserializationFormatFactory.class, FactoryUtil.FORMAT);
        helper.validateExcept(
                IdempotentTableOptions.STREAM_KAFKA_PROPERTIES_PREFIX,
                IdempotentTableOptions.CHECKPOINT_STORE_POSTGRES_PROPERTIES_PREFIX);
        ReadableConfig options = helper.getOptions();
        String table = context.getObjectIdentifier().asSummaryString();
        Map<String, String> raw = context.getCatalogTable().getOptions();
        Properties kafka = prefixed(raw, IdempotentTableOptions.STREAM_KAFKA_PROPERTIES_PREFIX);
        CheckpointStoreFactory store = storeOf(options, raw, table);
        if (store == null
                && options.get(IdempotentSourceOptions.STARTING_POSITION)
                        == StartingPosition.CHECKPOINT_STORE) {
            throw new ValidationException(
                    String.format(
                            "Table '%s': '%s' = 'checkpoint_store' needs the option '%s'.",
                            table,
                            IdempotentSourceOptions.STARTING_POSITION.key(),
                            IdempotentTableOptions.CHECKPOINT_STORE.key()));
        }
        IdempotentSource source;
        try {
            IdempotentSourceBuilder builder =
                    IdempotentSource.builder().stream(streamOf(options, table, kafka))
                            .options(options);
            if (store != null) {
                builder.checkpointStore(store);
            }
            source = builder.build();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ValidationException("Table '" + table + "': " + e.getMessage(), e);
        }
        return new IdempotentTableSource(source, format, context.getPhysicalRowDataType());
    }

    private DynamicTableSink sink(Context context) {
        FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
        IdempotentTableSink sink = sink(helper, context);
        Integer parallelism =
                helper.getOptions()
                        .getOptional(IdempotentTableOptions.SINK_PARALLELISM)
                        .orElse(null);
        if (parallelism != null && parallelism < 1) {
            throw new ValidationException(
                    String.format(
                            "Table '%s': '%s' must be at least 1, but is %d.",
                            context.getObjectIdentifier().asSummaryString(),
                            IdempotentTableOptions.SINK_PARALLELISM.key(),
                            parallelism));
        }
        return sink.withParallelism(parallelism)
                .withStore(
                        storeOf(
                                helper.getOptions(),
                                context.getCatalogTable().getOptions(),
                                context.getObjectIdentifier().asSummaryString()));
    }

    private static IdempotentTableSink sink(
            FactoryUtil.TableFactoryHelper helper, Context context) {
        var format =
                helper.discoverOptionalEncodingFormat(
                        SerializationFormatFactory.class, FactoryUtil.FORMAT);
        helper.validateExcept(
                IdempotentTableOptions.JDBC_PROPERTIES_PREFIX,
                IdempotentTableOptions.CHECKPOINT_STORE_POSTGRES_PROPERTIES_PREFIX);
        ReadableConfig options = helper.getOptions();
        String table = context.getObjectIdentifier().asSummaryString();
        DestinationKind kind = require(options, DESTINATION, table, "a sink table");
        String name =
                options.getOptional(SINK_NAME)
                        .orElse(context.getObjectIdentifier().getObjectName());
        try {
            SinkScopedStore.requireValidName(name);
        } catch (IllegalArgumentException e) {
            throw new ValidationException(
                    String.format(
                            "Table '%s': %s %s",
                            table,
                            e.getMessage(),
                            options.getOptional(SINK_NAME).isPresent()
                                    ? "Change '" + SINK_NAME.key() + "'."
                                    : "It is the table's name unless '"
                                            + SINK_NAME.key()
                                            + "' is set: set it."));
        }
        if (kind == DestinationKind.JDBC) {
            if (format.isPresent()) {
                throw new ValidationException(
                        String.format(
                                "Table '%s': 'destination' = 'jdbc' writes columns, not encoded"
                                        + " rows; remove the 'format' option.",
                                table));
            }
            return IdempotentTableSink.jdbc(
                    options,
                    name,
                    context.getPhysicalRowDataType(),
                    require(options, JDBC_URL, table, "'destination' = 'jdbc'"),
                    require(options, JDBC_TABLE, table, "'destination' = 'jdbc'"),
                    options.getOptional(JDBC_USERNAME).orElse(null),
                    options.getOptional(JDBC_PASSWORD).orElse(null),
                    options.get(JDBC_LEDGER_TABLE),
                    prefixed(
                            context.getCatalogTable().getOptions(),
                            IdempotentTableOptions.JDBC_PROPERTIES_PREFIX));
        }
        EncodingFormat<SerializationSchema<RowData>> encoding =
                format.orElseThrow(
                        () ->
                                new ValidationException(
                                        String.format(
                                                "Table '%s': 'destination' = '%s' writes encoded"
                                                        + " rows: set 'format', e.g. 'json' or"
                                                        + " 'csv'.",
                                                table, kind.name().toLowerCase())));
        if (kind == DestinationKind.FILE) {
            return IdempotentTableSink.files(
                    options,
                    name,
                    context.getPhysicalRowDataType(),
                    encoding,
                    require(options, FILE_PATH, table, "'destination' = 'file'"));
        }
        return IdempotentTableSink.http(
                options,
                name,
                context.getPhysicalRowDataType(),
                encoding,
                require(options, HTTP_URL, table, "'destination' = 'http'"));
    }

    /** The checkpoint store the table's options name, or {@code null} if none. */
    @Nullable
    static CheckpointStoreFactory storeOf(
            ReadableConfig options, Map<String, String> raw, String table) {
        var kind = options.getOptional(IdempotentTableOptions.CHECKPOINT_STORE);
        if (kind.isEmpty()) {
            return null;
        }
        String needer = "'checkpoint-store' = '" + kind.get().name().toLowerCase(Locale.ROOT) + "'";
        switch (kind.get()) {
            case ROCKSDB:
                return RocksDbCheckpointStore.factory(
                        Path.of(
                                require(
                                        options,
                                        IdempotentTableOptions.CHECKPOINT_STORE_ROCKSDB_PATH,
                                        table,
                                        needer)),
                        WriteDurability.SYNCED);
            case POSTGRES:
                PostgresCheckpointStoreBuilder postgres =
                        PostgresCheckpointStore.builder()
                                .url(
                                        require(
                                                options,
                                                IdempotentTableOptions
                                                        .CHECKPOINT_STORE_POSTGRES_URL,
                                                table,
                                                needer));
                options.getOptional(IdempotentTableOptions.CHECKPOINT_STORE_POSTGRES_USERNAME)
                        .ifPresent(postgres::username);
                options.getOptional(IdempotentTableOptions.CHECKPOINT_STORE_POSTGRES_PASSWORD)
                        .ifPresent(postgres::password);
                prefixed(raw, IdempotentTableOptions.CHECKPOINT_STORE_POSTGRES_PROPERTIES_PREFIX)
                        .forEach((key, value) -> postgres.property((String) key, (String) value));
                try {
                    return postgres.buildFactory();
                } catch (IllegalArgumentException | IllegalStateException e) {
                    throw new ValidationException("Table '" + table + "': " + e.getMessage(), e);
                }
            default:
                throw new IllegalStateException("unknown checkpoint store kind");
        }
    }

    /** A client's properties: the table's options under {@code prefix}, without it. */
    private static Properties prefixed(Map<String, String> tableOptions, String prefix) {
        Properties properties = new Properties();
        tableOptions.forEach(
                (key, value) -> {
                    if (key.startsWith(prefix) && key.length() > prefix.length()) {
                        properties.put(key.substring(prefix.length()), value);
                    }
                });
        return properties;
    }

    private static PartitionedStreamFactory streamOf(
            ReadableConfig options, String table, Properties kafka) {
        switch (require(options, STREAM, table, "a source table")) {
            case LOCAL:
                return LocalStream.factory(
                        Path.of(require(options, STREAM_LOCAL_PATH, table, "'stream' = 'local'")));
            case KAFKA:
                return KafkaPartitionedStream.factory(
                        require(
                                options,
                                STREAM_KAFKA_BOOTSTRAP_SERVERS,
                                table,
                                "'stream' = 'kafka'"),
                        require(options, STREAM_KAFKA_TOPIC, table, "'stream' = 'kafka'"),
                        kafka);
            default:
                throw new IllegalStateException("unknown stream kind");
        }
    }

    private static <V> V require(
            ReadableConfig options, ConfigOption<V> option, String table, String needer) {
        return options.getOptional(option)
                .orElseThrow(
                        () ->
                                new ValidationException(
                                        String.format(
                                                "Table '%s': %s needs the option '%s'.",
                                                table, needer, option.key())));
    }
}
