package io.idempotent.flink.table;

import io.idempotent.flink.origin.Traced;
import io.idempotent.flink.stream.PartitionRecord;
import java.util.function.Function;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.DataType;

/** The metadata columns a source table offers: where each row came from. */
enum OriginMetadata {
    STREAM("stream", DataTypes.STRING().notNull(), r -> StringData.fromString(r.origin().stream())),
    PARTITION(
            "partition",
            DataTypes.STRING().notNull(),
            r -> StringData.fromString(r.origin().partition())),
    SEQUENCE("sequence", DataTypes.BIGINT().notNull(), r -> r.origin().sequence()),
    TIMESTAMP(
            "timestamp",
            DataTypes.TIMESTAMP_LTZ(3).notNull(),
            r -> TimestampData.fromEpochMillis(r.value().timestamp())),
    /**
     * The whole origin, for a sink table with origin identities to write into its own {@code
     * origin} metadata column.
     */
    ORIGIN("origin", DataTypes.BYTES().notNull(), r -> OriginCodec.encode(r.origin()));

    private final String key;
    private final DataType type;
    private final Function<Traced<PartitionRecord>, Object> reader;

    OriginMetadata(String key, DataType type, Function<Traced<PartitionRecord>, Object> reader) {
        this.key = key;
        this.type = type;
        this.reader = reader;
    }

    String key() {
        return key;
    }

    DataType type() {
        return type;
    }

    /** The value in Flink's internal representation. */
    Object read(Traced<PartitionRecord> record) {
        return reader.apply(record);
    }

    static OriginMetadata of(String key) {
        for (OriginMetadata metadata : values()) {
            if (metadata.key.equals(key)) {
                return metadata;
            }
        }
        throw new ValidationException("Unknown metadata column '" + key + "'.");
    }
}
