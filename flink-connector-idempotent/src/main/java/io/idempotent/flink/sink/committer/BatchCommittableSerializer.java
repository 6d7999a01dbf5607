package io.idempotent.flink.sink.committer;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
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
        DataOutputSerializer out = new DataOutputSerializer(256);
        out.writeBoolean(committable.traced());
        out.writeUTF(committable.id().value());
        out.writeUTF(committable.partition().stream());
        out.writeUTF(committable.partition().partition());
        out.writeLong(committable.range().from());
        out.writeLong(committable.range().to());
        out.writeInt(committable.elements().size());
        for (int i = 0; i < committable.elements().size(); i++) {
            out.writeLong(committable.sequences().get(i));
            elementSerializer.serialize(committable.elements().get(i), out);
        }
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
        List<T> elements = new ArrayList<>(size);
        List<Long> sequences = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            sequences.add(in.readLong());
            elements.add(elementSerializer.deserialize(in));
        }
        if (in.available() > 0) {
            throw new IOException(in.available() + " unexpected trailing bytes in " + id);
        }
        return new BatchCommittable<>(id, partition, range, elements, sequences, traced);
    }
}
