package io.idempotent.flink.table;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.serialization.RuntimeContextInitializationContextAdapters;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.table.data.RowData;

/** Encodes each row with the table's format; the sink batches the bytes. */
final class RowEncoder extends RichMapFunction<RowData, byte[]> {

    private static final long serialVersionUID = 1L;

    private final SerializationSchema<RowData> format;

    RowEncoder(SerializationSchema<RowData> format) {
        this.format = format;
    }

    @Override
    public void open(OpenContext context) throws Exception {
        format.open(
                RuntimeContextInitializationContextAdapters.serializationAdapter(
                        getRuntimeContext()));
    }

    @Override
    public byte[] map(RowData row) {
        return format.serialize(row);
    }
}
