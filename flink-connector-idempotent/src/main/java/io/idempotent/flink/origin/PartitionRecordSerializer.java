package io.idempotent.flink.origin;

import io.idempotent.flink.stream.PartitionRecord;
import java.io.IOException;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializes {@link PartitionRecord}s field by field, so that Flink need not fall back to Kryo.
 * Records are immutable (their arrays are never copied nor changed), so a copy is the record.
 */
@Internal
public final class PartitionRecordSerializer extends TypeSerializerSingleton<PartitionRecord> {

    private static final long serialVersionUID = 1L;

    public static final PartitionRecordSerializer INSTANCE = new PartitionRecordSerializer();

    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public PartitionRecord createInstance() {
        return null;
    }

    @Override
    public PartitionRecord copy(PartitionRecord from) {
        return from;
    }

    @Override
    public PartitionRecord copy(PartitionRecord from, PartitionRecord reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(PartitionRecord record, DataOutputView target) throws IOException {
        target.writeUTF(record.partition());
        target.writeLong(record.sequence());
        target.writeLong(record.timestamp());
        byte[] key = record.key();
        target.writeInt(key == null ? -1 : key.length);
        if (key != null) {
            target.write(key);
        }
        target.writeInt(record.payload().length);
        target.write(record.payload());
    }

    @Override
    public PartitionRecord deserialize(DataInputView source) throws IOException {
        String partition = source.readUTF();
        long sequence = source.readLong();
        long timestamp = source.readLong();
        int keyLength = source.readInt();
        byte[] key = null;
        if (keyLength >= 0) {
            key = new byte[keyLength];
            source.readFully(key);
        }
        byte[] payload = new byte[source.readInt()];
        source.readFully(payload);
        return new PartitionRecord(partition, sequence, key, payload, timestamp);
    }

    @Override
    public PartitionRecord deserialize(PartitionRecord reuse, DataInputView source)
            throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public TypeSerializerSnapshot<PartitionRecord> snapshotConfiguration() {
        return new Snapshot();
    }

    /**
     * Version 1 of the record format. Not final: the snapshot class of 0.1.0 ({@code
     * source.PartitionRecordSerializer.Snapshot}) is this one under its old name.
     */
    public static class Snapshot extends SimpleTypeSerializerSnapshot<PartitionRecord> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
