package io.idempotent.flink.table;

import io.idempotent.flink.checkpoint.CheckpointStoreFactory;
import io.idempotent.flink.destination.DestinationFactory;
import io.idempotent.flink.destination.file.FileDestination;
import io.idempotent.flink.destination.http.HttpDestination;
import io.idempotent.flink.destination.http.HttpDestinationBuilder;
import io.idempotent.flink.destination.jdbc.JdbcDestination;
import io.idempotent.flink.destination.jdbc.JdbcDestinationBuilder;
import io.idempotent.flink.origin.Traced;
import io.idempotent.flink.origin.TracedTypeInfoFactory.TracedTypeInfo;
import io.idempotent.flink.sink.IdempotentSink;
import io.idempotent.flink.sink.aligned.CheckpointAlignedSink;
import io.idempotent.flink.util.Redact;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.annotation.Nullable;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.ProviderContext;
import org.apache.flink.table.connector.format.EncodingFormat;
import org.apache.flink.table.connector.sink.DataStreamSinkProvider;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.sink.abilities.SupportsWritingMetadata;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.DataType;

/**
 * Writes rows exactly once to a bundled destination. With a checkpoint store and the {@code origin}
 * metadata column written (selected from an idempotent source table), through {@link
 * IdempotentSink}: origin identities, delivered eagerly by default. Otherwise through the
 * checkpoint-aligned sink: a SQL query may aggregate, join or reorder, so rows carry no origin and
 * batches take checkpoint identities, delivered when a checkpoint completes.
 */
final class IdempotentTableSink implements DynamicTableSink, SupportsWritingMetadata {

    /** The writable metadata column that carries a row's origin. */
    static final String ORIGIN = "origin";

    private static final Pattern TABLE_NAME =
            Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}(\\.[A-Za-z_][A-Za-z0-9_]{0,62})?");

    /**
     * Builds the sink's part of the pipeline once the planner knows the runtime context: with
     * origin identities if {@code store} is set (the rows then end with the origin column).
     */
    private interface Plan {
        DataStreamSink<?> apply(
                Context context,
                ProviderContext provider,
                DataStream<RowData> rows,
                @Nullable CheckpointStoreFactory store);
    }

    private final String table;
    private final String description;
    private final Plan plan;
    @Nullable private final Integer parallelism;
    @Nullable private final CheckpointStoreFactory store;
    private boolean originWritten;

    private IdempotentTableSink(String table, String description, Plan plan) {
        this(table, description, plan, null, null, false);
    }

    private IdempotentTableSink(
            String table,
            String description,
            Plan plan,
            @Nullable Integer parallelism,
            @Nullable CheckpointStoreFactory store,
            boolean originWritten) {
        this.table = table;
        this.description = description;
        this.plan = plan;
        this.parallelism = parallelism;
        this.store = store;
        this.originWritten = originWritten;
    }

    /** The same sink with {@code sink.parallelism} applied, if set. */
    IdempotentTableSink withParallelism(@Nullable Integer sinkParallelism) {
        return new IdempotentTableSink(
                table, description, plan, sinkParallelism, store, originWritten);
    }

    /** The same sink with the checkpoint store the table's options name, if any. */
    IdempotentTableSink withStore(@Nullable CheckpointStoreFactory checkpointStore) {
        return new IdempotentTableSink(
                table, description, plan, parallelism, checkpointStore, originWritten);
    }

    @Override
    public Map<String, DataType> listWritableMetadata() {
        return writableMetadata();
    }

    /** The metadata a sink table writes: the origin of each row. */
    static Map<String, DataType> writableMetadata() {
        return Map.of(ORIGIN, DataTypes.BYTES().notNull());
    }

    @Override
    public void applyWritableMetadata(List<String> metadataKeys, DataType consumedDataType) {
        originWritten = metadataKeys.contains(ORIGIN);
    }

    static IdempotentTableSink files(
            ReadableConfig options,
            String name,
            DataType physicalType,
            EncodingFormat<SerializationSchema<RowData>> format,
            String directory) {
        DestinationFactory<byte[]> files =
                FileDestination.factory(Path.of(directory), bytes -> bytes);
        return encoded(options, "files in " + directory, name, physicalType, format, files);
    }

    static IdempotentTableSink http(
            ReadableConfig options,
            String name,
            DataType physicalType,
            EncodingFormat<SerializationSchema<RowData>> format,
            String url) {
        DestinationFactory<byte[]> http;
        try {
            HttpDestinationBuilder<byte[]> builder =
                    HttpDestination.<byte[]>builder()
                            .url(url)
                            .encoder(bytes -> bytes)
                            .requestTimeout(
                                    options.get(IdempotentTableOptions.HTTP_REQUEST_TIMEOUT))
                            .maxAttempts(options.get(IdempotentTableOptions.HTTP_MAX_ATTEMPTS))
                            .successStatuses(
                                    options.get(IdempotentTableOptions.HTTP_SUCCESS_STATUSES))
                            .permanentErrorStatuses(
                                    options.get(
                                            IdempotentTableOptions.HTTP_PERMANENT_ERROR_STATUSES))
                            .allowCredentialsOverHttp(
                                    options.get(
                                            IdempotentTableOptions
                                                    .HTTP_ALLOW_CREDENTIALS_OVER_HTTP));
            options.get(IdempotentTableOptions.HTTP_HEADERS).forEach(builder::header);
            options.get(IdempotentTableOptions.HTTP_REQUIRED_RESPONSE_HEADERS)
                    .forEach(builder::requireResponseHeader);
            if (options.get(IdempotentTableOptions.HTTP_REQUIRE_ECHOED_KEY)) {
                builder.requireEchoedIdempotencyKey();
            }
            options.getOptional(IdempotentTableOptions.HTTP_TRUSTSTORE_LOCATION)
                    .ifPresent(
                            path ->
                                    builder.trustStore(
                                            path,
                                            options.getOptional(
                                                            IdempotentTableOptions
                                                                    .HTTP_TRUSTSTORE_PASSWORD)
                                                    .orElse(null)));
            options.getOptional(IdempotentTableOptions.HTTP_KEYSTORE_LOCATION)
                    .ifPresent(
                            path ->
                                    builder.keyStore(
                                            path,
                                            options.getOptional(
                                                            IdempotentTableOptions
                                                                    .HTTP_KEYSTORE_PASSWORD)
                                                    .orElse(null)));
            http = builder.buildFactory();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ValidationException("Sink table '" + name + "': " + e.getMessage(), e);
        }
        return encoded(options, "HTTP " + Redact.url(url), name, physicalType, format, http);
    }

    static IdempotentTableSink jdbc(
            ReadableConfig options,
            String name,
            DataType physicalType,
            String url,
            String table,
            @Nullable String username,
            @Nullable String password,
            String ledgerTable,
            Properties driverProperties) {
        if (!TABLE_NAME.matcher(table).matches()) {
            // The name goes into SQL text: only a plain (optionally schema-qualified) identifier.
            throw new ValidationException(
                    String.format(
                            "Sink table '%s': option '%s' must be a table name, optionally"
                                    + " schema-qualified (letters, digits and '_', not starting"
                                    + " with a digit, at most 63 characters each), but got '%s'.",
                            name, IdempotentTableOptions.JDBC_TABLE.key(), table));
        }
        List<String> columns = DataType.getFieldNames(physicalType);
        JdbcRowBinder binder = JdbcRowBinder.of(name, physicalType);
        String insert =
                String.format(
                        "INSERT INTO %s (%s) VALUES (%s)",
                        table,
                        columns.stream()
                                .map(c -> '"' + c.replace("\"", "\"\"") + '"')
                                .collect(Collectors.joining(", ")),
                        columns.stream().map(c -> "?").collect(Collectors.joining(", ")));
        JdbcDestinationBuilder<RowData> builder =
                JdbcDestination.<RowData>builder()
                        .url(url)
                        .insert(insert)
                        .binder(binder)
                        .ledgerTable(ledgerTable)
                        .rowDataInErrors(
                                options.get(IdempotentTableOptions.JDBC_ROW_DATA_IN_ERRORS));
        driverProperties.forEach((key, value) -> builder.property((String) key, (String) value));
        if (username != null) {
            builder.username(username);
        }
        if (password != null) {
            builder.password(password);
        }
        DestinationFactory<RowData> destination;
        try {
            destination = builder.buildFactory();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ValidationException("Sink table '" + name + "': " + e.getMessage(), e);
        }
        return new IdempotentTableSink(
                name,
                "PostgreSQL table " + table,
                (context, provider, rows, store) -> {
                    TypeInformation<RowData> rowType = context.createTypeInformation(physicalType);
                    if (store != null) {
                        SingleOutputStreamOperator<Traced<RowData>> traced =
                                rows.map(
                                                new TracedRows.Copier(
                                                        rowType,
                                                        DataType.getFieldCount(physicalType)))
                                        .returns(new TracedTypeInfo<>(rowType));
                        provider.generateUid("copier").ifPresent(traced::uid);
                        return sinkTo(traced, provider, traced(options, name, destination, store));
                    }
                    // The planner reuses row objects; the writer keeps rows until a checkpoint.
                    SingleOutputStreamOperator<RowData> copies =
                            rows.map(new RowCopier(rowType)).returns(rowType);
                    provider.generateUid("copier").ifPresent(copies::uid);
                    return sinkTo(copies, provider, aligned(options, name, rowType, destination));
                });
    }

    private static IdempotentTableSink encoded(
            ReadableConfig options,
            String description,
            String name,
            DataType physicalType,
            EncodingFormat<SerializationSchema<RowData>> format,
            DestinationFactory<byte[]> destination) {
        return new IdempotentTableSink(
                name,
                description,
                (context, provider, rows, store) -> {
                    SerializationSchema<RowData> encoder =
                            format.createRuntimeEncoder(context, physicalType);
                    if (store != null) {
                        SingleOutputStreamOperator<Traced<byte[]>> traced =
                                rows.map(
                                                new TracedRows.Encoder(
                                                        encoder,
                                                        DataType.getFieldCount(physicalType)))
                                        .returns(
                                                new TracedTypeInfo<>(
                                                        PrimitiveArrayTypeInfo
                                                                .BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
                        provider.generateUid("encoder").ifPresent(traced::uid);
                        return sinkTo(traced, provider, traced(options, name, destination, store));
                    }
                    CheckpointAlignedSink<byte[]> sink =
                            aligned(
                                    options,
                                    name,
                                    PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO,
                                    destination);
                    SingleOutputStreamOperator<byte[]> encoded =
                            rows.map(new RowEncoder(encoder))
                                    .returns(PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
                    provider.generateUid("encoder").ifPresent(encoded::uid);
                    return sinkTo(encoded, provider, sink);
                });
    }

    private static <T> CheckpointAlignedSink<T> aligned(
            ReadableConfig options,
            String name,
            TypeInformation<T> type,
            DestinationFactory<T> destination) {
        try {
            return CheckpointAlignedSink.<T>builder()
                    .name(name)
                    .options(options)
                    .elementType(type)
                    .destination(destination)
                    .build();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ValidationException(
                    "Sink table '"
                            + name
                            + "': "
                            + e.getMessage()
                            + " Origin identities need the option 'checkpoint-store' and the"
                            + " 'origin' metadata column.",
                    e);
        }
    }

    private static <T> IdempotentSink<T> traced(
            ReadableConfig options,
            String name,
            DestinationFactory<T> destination,
            CheckpointStoreFactory store) {
        try {
            return IdempotentSink.<T>builder()
                    .name(name)
                    .options(options)
                    .destination(destination)
                    .checkpointStore(store)
                    .build();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ValidationException("Sink table '" + name + "': " + e.getMessage(), e);
        }
    }

    private static <T> DataStreamSink<Traced<T>> sinkTo(
            DataStream<Traced<T>> elements, ProviderContext provider, IdempotentSink<T> sink) {
        DataStreamSink<Traced<T>> end = elements.sinkTo(sink);
        provider.generateUid("sink").ifPresent(end::uid);
        return end;
    }

    private static <T> DataStreamSink<T> sinkTo(
            DataStream<T> elements, ProviderContext provider, CheckpointAlignedSink<T> sink) {
        DataStreamSink<T> end = elements.sinkTo(sink);
        provider.generateUid("sink").ifPresent(end::uid);
        return end;
    }

    @Override
    public ChangelogMode getChangelogMode(ChangelogMode requestedMode) {
        return ChangelogMode.insertOnly();
    }

    @Override
    public SinkRuntimeProvider getSinkRuntimeProvider(Context context) {
        if (originWritten && store == null) {
            throw new ValidationException(
                    String.format(
                            "Sink table '%s': the query writes the 'origin' column, but the table"
                                    + " has no 'checkpoint-store': set it, the same as on the"
                                    + " source table, for origin identities.",
                            table));
        }
        if (store != null && !originWritten) {
            throw new ValidationException(
                    String.format(
                            "Sink table '%s' has a 'checkpoint-store' but the query writes no"
                                    + " origin: declare `origin BYTES METADATA` on the sink"
                                    + " table and select the source table's `origin` metadata"
                                    + " column into it (the rows must come straight from one"
                                    + " idempotent source table, without aggregation or"
                                    + " redistribution), or remove 'checkpoint-store' for"
                                    + " checkpoint identities.",
                            table));
        }
        return new DataStreamSinkProvider() {
            @Override
            public DataStreamSink<?> consumeDataStream(
                    ProviderContext provider, DataStream<RowData> rows) {
                DataStreamSink<?> sink =
                        plan.apply(context, provider, rows, originWritten ? store : null);
                if (parallelism != null) {
                    sink.setParallelism(parallelism);
                }
                return sink;
            }

            @Override
            public Optional<Integer> getParallelism() {
                return Optional.ofNullable(parallelism);
            }
        };
    }

    @Override
    public DynamicTableSink copy() {
        return new IdempotentTableSink(table, description, plan, parallelism, store, originWritten);
    }

    @Override
    public String asSummaryString() {
        return "idempotent sink into " + description;
    }

    /** Copies each row, for the planner reuses them. */
    private static final class RowCopier implements MapFunction<RowData, RowData> {
        private static final long serialVersionUID = 1L;
        private final TypeInformation<RowData> type;
        private transient TypeSerializer<RowData> serializer;

        RowCopier(TypeInformation<RowData> type) {
            this.type = type;
        }

        @Override
        public RowData map(RowData row) {
            if (serializer == null) {
                serializer = type.createSerializer(new SerializerConfigImpl());
            }
            return serializer.copy(row);
        }
    }
}
