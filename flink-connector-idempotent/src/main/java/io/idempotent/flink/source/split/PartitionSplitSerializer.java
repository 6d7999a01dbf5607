package io.idempotent.flink.source.split;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.checkpoint.PendingCheckpoint;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import java.io.IOException;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/** Serializes splits into checkpoints and savepoints. Version 1. */
@Internal
public final class PartitionSplitSerializer implements SimpleVersionedSerializer<PartitionSplit> {

    public static final int CURRENT_VERSION = 1;

    @Override
    public int getVersion() {
        return CURRENT_VERSION;
    }

    @Override
    public byte[] serialize(PartitionSplit split) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        writeSplit(split, out);
        return out.getCopyOfBuffer();
    }

    @Override
    public PartitionSplit deserialize(int version, byte[] bytes) throws IOException {
        if (version != CURRENT_VERSION) {
            throw new IOException(
                    "Cannot read a split of serializer version "
                            + version
                            + "; this version reads "
                            + CURRENT_VERSION
                            + ". Restore with the library version that wrote the savepoint.");
        }
        DataInputDeserializer in = new DataInputDeserializer(bytes);
        PartitionSplit split = readSplit(in);
        if (in.available() > 0) {
            throw new IOException(in.available() + " unexpected trailing bytes in a split");
        }
        return split;
    }

    /** Writes a split in version 1; shared with the enumerator state serializer. */
    public static void writeSplit(PartitionSplit split, DataOutputView out) throws IOException {
        out.writeUTF(split.partition().stream());
        out.writeUTF(split.partition().partition());
        out.writeLong(split.nextSequence());
        out.writeLong(split.stopSequence());
        PendingCheckpoint pending = split.pending();
        out.writeBoolean(pending != null);
        if (pending != null) {
            out.writeLong(pending.range().from());
            out.writeLong(pending.range().to());
            out.writeUTF(pending.batchId().value());
            out.writeBoolean(pending.location() != null);
            if (pending.location() != null) {
                out.writeUTF(pending.location());
            }
        }
    }

    public static PartitionSplit readSplit(DataInputView in) throws IOException {
        StreamPartition partition = new StreamPartition(in.readUTF(), in.readUTF());
        long next = in.readLong();
        long stop = in.readLong();
        PendingCheckpoint pending = null;
        if (in.readBoolean()) {
            SequenceRange range = SequenceRange.of(in.readLong(), in.readLong());
            BatchId batchId = BatchId.parse(in.readUTF());
            pending = new PendingCheckpoint(range, batchId, in.readBoolean() ? in.readUTF() : null);
        }
        return new PartitionSplit(partition, next, stop, pending);
    }
}
