package io.idempotent.flink.table;

import io.idempotent.flink.origin.Traced;
import io.idempotent.flink.stream.PartitionRecord;
import java.io.IOException;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.serialization.RuntimeContextInitializationContextAdapters;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.utils.JoinedRowData;
import org.apache.flink.util.Collector;
import org.apache.flink.util.FlinkRuntimeException;

/** Decodes a record's payload with the table's format and appends the requested metadata. */
final class RecordDecoder extends RichFlatMapFunction<Traced<PartitionRecord>, RowData> {

    private static final long serialVersionUID = 1L;

    private final DeserializationSchema<RowData> format;
    private final List<OriginMetadata> metadata;

    RecordDecoder(DeserializationSchema<RowData> format, List<OriginMetadata> metadata) {
        this.format = format;
        this.metadata = List.copyOf(metadata);
    }

    @Override
    public void open(OpenContext context) throws Exception {
        format.open(
                RuntimeContextInitializationContextAdapters.deserializationAdapter(
                        getRuntimeContext()));
    }

    @Override
    public void flatMap(Traced<PartitionRecord> record, Collector<RowData> out) {
        RowData row;
        try {
            row = format.deserialize(record.value().payload());
        } catch (IOException | RuntimeException e) {
            throw new FlinkRuntimeException(
                    String.format(
                            "Record %s (stream/partition#sequence) cannot be decoded by the"
                                    + " table's format: %s. Fix or skip it at the producer, or let"
                                    + " the format ignore parse errors (e.g."
                                    + " 'json.ignore-parse-errors' = 'true').",
                            record.origin(), e.getMessage()),
                    e);
        }
        if (row == null) {
            return; // the format skips this record
        }
        if (metadata.isEmpty()) {
            out.collect(row);
            return;
        }
        GenericRowData values = new GenericRowData(metadata.size());
        for (int i = 0; i < metadata.size(); i++) {
            values.setField(i, metadata.get(i).read(record));
        }
        out.collect(new JoinedRowData(row.getRowKind(), row, values));
    }
}
