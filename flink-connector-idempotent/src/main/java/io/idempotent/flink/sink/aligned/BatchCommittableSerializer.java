package io.idempotent.flink.sink.aligned;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import java.io.IOException;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Serializes committables into checkpoints and savepoints, the elements with the element type's
 * Flink serializer. Version 2: the {@link CheckpointBatchId}'s fields, then the elements. Reads
 * version 1 too (0.1.0: the identity as a batch of a stream partition, a flag for the origin
 * identities of an earlier {@code IdempotentSink}, and a sequence number before each element).
 */
@Internal
public final class BatchCommittableSerializer<T>
        implements SimpleVersionedSerializer<BatchCommittable<T>> {

    public static final int CURRENT_VERSION = 2;

    private final TypeSerializer<T> elementSerializer;

    public BatchCommittableSerializer(TypeSerializer<T> elementSerializer) {
        this.elementSerializer = elementSerializer;
    }

    @Override
    public int getVersion() {
        return CURRENT_VERSION;
    }

    @Override
    public byte[] serialize(BatchCommittable<T> committable) throws IOException {
        byte[] elements = committable.encode(elementSerializer);
        CheckpointBatchId id = committable.id();
        DataOutputSerializer out = new DataOutputSerializer(elements.length + 128);
        out.writeUTF(id.sink());
        out.writeInt(id.subtask());
        out.writeUTF(id.incarnation());
        out.writeLong(id.number());
        out.writeInt(committable.size());
        out.writeInt(elements.length);
        out.write(elements);
        return out.getCopyOfBuffer();
    }

    @Override
    public BatchCommittable<T> deserialize(int version, byte[] bytes) throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(bytes);
        CheckpointBatchId id;
        if (version == CURRENT_VERSION) {
            id = new CheckpointBatchId(in.readUTF(), in.readInt(), in.readUTF(), in.readLong());
        } else if (version == 1) {
            id = readVersion1Id(in);
        } else {
            throw new IOException(
                    "Cannot read a committable of serializer version "
                            + version
                            + "; this version reads 1 and "
                            + CURRENT_VERSION
                            + ". Restore with the library version that wrote the savepoint.");
        }
        int size = in.readInt();
        int length = in.readInt();
        if (size < 0 || length < 0 || length != in.available()) {
            throw new IOException(
                    String.format(
                            "Committable %s is damaged: %d elements in %d bytes, %d bytes left",
                            id, size, length, in.available()));
        }
        byte[] elements = new byte[length];
        in.readFully(elements);
        return BatchCommittable.encoded(
                id, size, elements, version == 1, elementSerializer.duplicate());
    }

    private static CheckpointBatchId readVersion1Id(DataInputDeserializer in) throws IOException {
        boolean traced = in.readBoolean();
        BatchId batchId = BatchId.parse(in.readUTF());
        StreamPartition partition = new StreamPartition(in.readUTF(), in.readUTF());
        SequenceRange range = SequenceRange.of(in.readLong(), in.readLong());
        if (traced) {
            throw new IOException(
                    "Batch "
                            + batchId
                            + " has an origin identity: it comes from the state of an earlier"
                            + " version's IdempotentSink, whose batches waited in Flink's state."
                            + " Restore that savepoint with the version that wrote it and stop"
                            + " the job with --drain (which delivers them) before upgrading.");
        }
        CheckpointBatchId id;
        try {
            id = CheckpointBatchId.of(partition, range);
        } catch (IllegalArgumentException e) {
            throw new IOException("Committable " + batchId + " is damaged: " + e.getMessage(), e);
        }
        if (!id.batchId().equals(batchId)) {
            throw new IOException(
                    "Committable " + batchId + " is damaged: its parts make " + id.batchId());
        }
        return id;
    }
}
