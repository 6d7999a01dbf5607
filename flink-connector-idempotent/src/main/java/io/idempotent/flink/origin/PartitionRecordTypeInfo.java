package io.idempotent.flink.origin;

import io.idempotent.flink.stream.PartitionRecord;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * The type information of {@link PartitionRecord}, with its own serializer. (The record lives in
 * the Flink-free stream package, so it cannot name its type information itself; {@link
 * TracedTypeInfoFactory} puts this one in wherever Flink extracts {@code Traced<PartitionRecord>}.)
 */
@Internal
public final class PartitionRecordTypeInfo extends SingleFieldTypeInfo<PartitionRecord> {

    private static final long serialVersionUID = 1L;

    @Override
    public Class<PartitionRecord> getTypeClass() {
        return PartitionRecord.class;
    }

    @Override
    public TypeSerializer<PartitionRecord> createSerializer(SerializerConfig config) {
        return PartitionRecordSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "PartitionRecord";
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof PartitionRecordTypeInfo;
    }

    @Override
    public int hashCode() {
        return PartitionRecordTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof PartitionRecordTypeInfo;
    }
}
