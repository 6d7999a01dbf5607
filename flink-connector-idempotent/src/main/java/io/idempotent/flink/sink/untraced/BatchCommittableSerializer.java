package io.idempotent.flink.sink.untraced;

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
 * Serializes committables into checkpoints and savepoints. Version 1; the elements with the element
 * type's Flink serializer.
 */
@Internal
public final class BatchCommittableSerializer<T>
        implements SimpleVersionedSerializer<BatchCommittable<T>> {

    public static final int CURRENT_VERSION = 1;

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
        DataOutputSerializer out = new DataOutputSerializer(elements.length + 128);
        out.writeBoolean(committable.traced());
        out.writeUTF(committable.id().value());
        out.writeUTF(committable.partition().stream());
        out.writeUTF(committable.partition().partition());
        out.writeLong(committable.range().from());
        out.writeLong(committable.range().to());
        out.writeInt(committable.size());
        // Each element as its sequence number and its bytes; copied in one piece.
        out.writeInt(elements.length);
        out.write(elements);
        return out.getCopyOfBuffer();
    }

    @Override
    public BatchCommittable<T> deserialize(int version, byte[] bytes) throws IOException {
        if (version != CURRENT_VERSION) {
            throw new IOException(
                    "Cannot read a committable of serializer version "
                            + version
                            + "; this version reads "
                            + CURRENT_VERSION
                            + ". Restore with the library version that wrote the savepoint.");
        }
        DataInputDeserializer in = new DataInputDeserializer(bytes);
        boolean traced = in.readBoolean();
        BatchId id = BatchId.parse(in.readUTF());
        StreamPartition partition = new StreamPartition(in.readUTF(), in.readUTF());
        SequenceRange range = SequenceRange.of(in.readLong(), in.readLong());
        int size = in.readInt();
        int length = in.readInt();
        if (size < 0 || length < 0 || length != in.available()) {
            throw new IOException(
                    "Committable "
                            + id
                            + " is damaged: "
                            + size
                            + " elements in "
                            + length
                            + " bytes, "
                            + in.available()
                            + " bytes left");
        }
        byte[] elements = new byte[length];
        in.readFully(elements);
        return BatchCommittable.encoded(
                id, partition, range, traced, size, elements, elementSerializer.duplicate());
    }
}
