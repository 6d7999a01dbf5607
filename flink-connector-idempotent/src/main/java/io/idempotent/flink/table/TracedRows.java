package io.idempotent.flink.table;

import io.idempotent.flink.origin.Origin;
import io.idempotent.flink.origin.Traced;
import java.util.stream.IntStream;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.serialization.RuntimeContextInitializationContextAdapters;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.utils.ProjectedRowData;

/**
 * For a sink table with origin identities: each consumed row holds the table's physical columns
 * followed by the {@code origin} metadata column (Flink appends written metadata last); these
 * functions split it into the origin and what the destination takes.
 */
final class TracedRows {

    private TracedRows() {}

    static Origin originOf(RowData row, int physicalFields) {
        if (row.isNullAt(physicalFields)) {
            throw new IllegalArgumentException(
                    "A row reached the sink with no origin: select the source table's 'origin'"
                            + " metadata column into the sink's, unchanged.");
        }
        return OriginCodec.decode(row.getBinary(physicalFields));
    }

    static ProjectedRowData physical(int physicalFields) {
        return ProjectedRowData.from(IntStream.range(0, physicalFields).toArray());
    }

    /** Encodes the physical columns with the table's format, keeping the origin. */
    static final class Encoder extends RichMapFunction<RowData, Traced<byte[]>> {

        private static final long serialVersionUID = 1L;

        private final SerializationSchema<RowData> format;
        private final int physicalFields;
        private transient ProjectedRowData projection;

        Encoder(SerializationSchema<RowData> format, int physicalFields) {
            this.format = format;
            this.physicalFields = physicalFields;
        }

        @Override
        public void open(OpenContext context) throws Exception {
            format.open(
                    RuntimeContextInitializationContextAdapters.serializationAdapter(
                            getRuntimeContext()));
            projection = physical(physicalFields);
        }

        @Override
        public Traced<byte[]> map(RowData row) {
            Origin origin = originOf(row, physicalFields);
            return new Traced<>(origin, format.serialize(projection.replaceRow(row)));
        }
    }

    /** Copies the physical columns (the planner reuses row objects), keeping the origin. */
    static final class Copier implements MapFunction<RowData, Traced<RowData>> {

        private static final long serialVersionUID = 1L;

        private final TypeInformation<RowData> physicalType;
        private final int physicalFields;
        private transient TypeSerializer<RowData> serializer;
        private transient ProjectedRowData projection;

        Copier(TypeInformation<RowData> physicalType, int physicalFields) {
            this.physicalType = physicalType;
            this.physicalFields = physicalFields;
        }

        @Override
        public Traced<RowData> map(RowData row) {
            if (serializer == null) {
                serializer = physicalType.createSerializer(new SerializerConfigImpl());
                projection = physical(physicalFields);
            }
            Origin origin = originOf(row, physicalFields);
            return new Traced<>(origin, serializer.copy(projection.replaceRow(row)));
        }
    }
}
