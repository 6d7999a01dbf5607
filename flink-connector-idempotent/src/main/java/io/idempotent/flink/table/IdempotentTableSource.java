package io.idempotent.flink.table;

import io.idempotent.flink.source.IdempotentSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.ProviderContext;
import org.apache.flink.table.connector.format.DecodingFormat;
import org.apache.flink.table.connector.source.DataStreamScanProvider;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.ScanTableSource;
import org.apache.flink.table.connector.source.abilities.SupportsReadingMetadata;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.DataType;

/** Reads a partitioned stream into rows decoded by a format, with the origin as metadata. */
final class IdempotentTableSource implements ScanTableSource, SupportsReadingMetadata {

    private final IdempotentSource source;
    private final DecodingFormat<DeserializationSchema<RowData>> format;
    private final DataType physicalType;
    private DataType producedType;
    private List<String> metadataKeys = List.of();

    IdempotentTableSource(
            IdempotentSource source,
            DecodingFormat<DeserializationSchema<RowData>> format,
            DataType physicalType) {
        this.source = source;
        this.format = format;
        this.physicalType = physicalType;
        this.producedType = physicalType;
    }

    @Override
    public ChangelogMode getChangelogMode() {
        return ChangelogMode.insertOnly();
    }

    @Override
    public ScanRuntimeProvider getScanRuntimeProvider(ScanContext context) {
        DeserializationSchema<RowData> decoder = format.createRuntimeDecoder(context, physicalType);
        TypeInformation<RowData> rowType = context.createTypeInformation(producedType);
        List<OriginMetadata> metadata = new ArrayList<>();
        metadataKeys.forEach(key -> metadata.add(OriginMetadata.of(key)));
        return new DataStreamScanProvider() {
            @Override
            public DataStream<RowData> produceDataStream(
                    ProviderContext provider, StreamExecutionEnvironment env) {
                var records = env.fromSource(source, WatermarkStrategy.noWatermarks(), "stream");
                provider.generateUid("stream").ifPresent(records::uid);
                var rows = records.flatMap(new RecordDecoder(decoder, metadata)).returns(rowType);
                provider.generateUid("decoder").ifPresent(rows::uid);
                return rows;
            }

            @Override
            public boolean isBounded() {
                return source.getBoundedness() == Boundedness.BOUNDED;
            }
        };
    }

    @Override
    public Map<String, DataType> listReadableMetadata() {
        return readableMetadata();
    }

    /** The metadata a source table reads: a record's origin and its parts. */
    static Map<String, DataType> readableMetadata() {
        Map<String, DataType> readable = new LinkedHashMap<>();
        for (OriginMetadata metadata : OriginMetadata.values()) {
            readable.put(metadata.key(), metadata.type());
        }
        return readable;
    }

    @Override
    public void applyReadableMetadata(List<String> keys, DataType producedDataType) {
        this.metadataKeys = List.copyOf(keys);
        this.producedType = producedDataType;
    }

    @Override
    public DynamicTableSource copy() {
        IdempotentTableSource copy = new IdempotentTableSource(source, format, physicalType);
        copy.metadataKeys = metadataKeys;
        copy.producedType = producedType;
        return copy;
    }

    @Override
    public String asSummaryString() {
        return "idempotent stream";
    }
}
