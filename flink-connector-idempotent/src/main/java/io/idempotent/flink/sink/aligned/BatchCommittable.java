package io.idempotent.flink.sink.aligned;

import io.idempotent.flink.destination.Batch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * A batch of the checkpoint-aligned sink that waits in Flink's state for its checkpoint to
 * complete, then is sent: plain data (its {@link CheckpointBatchId} and its elements), never a
 * client.
 *
 * <p>Flink serializes a committable more than once (a copy from the writer to the chained
 * committer, then the committer's state at each checkpoint), so the elements are encoded once and
 * the bytes kept: a later serialization copies them, and a deserialized committable decodes its
 * elements only when they are used.
 */
@Internal
public final class BatchCommittable<T> {

    private final CheckpointBatchId id;
    private final int count;
    private List<T> elements;

    /** The elements' bytes, once encoded or as read. */
    private byte[] encoded;

    /**
     * Whether {@link #encoded} is of version 1, with a (meaningless) sequence before each element.
     */
    private boolean encodedWithSequences;

    private TypeSerializer<T> encodedWith;

    public BatchCommittable(CheckpointBatchId id, List<T> elements) {
        this(id, elements.size());
        this.elements = List.copyOf(elements);
    }

    private BatchCommittable(CheckpointBatchId id, int count) {
        this.id = Objects.requireNonNull(id, "id");
        this.count = count;
    }

    /**
     * A committable read from bytes; its elements are decoded on first use.
     *
     * @param withSequences whether each element's bytes follow a sequence number (version 1)
     */
    static <T> BatchCommittable<T> encoded(
            CheckpointBatchId id,
            int count,
            byte[] encoded,
            boolean withSequences,
            TypeSerializer<T> serializer) {
        BatchCommittable<T> committable = new BatchCommittable<>(id, count);
        committable.encoded = encoded;
        committable.encodedWithSequences = withSequences;
        committable.encodedWith = serializer;
        return committable;
    }

    public CheckpointBatchId id() {
        return id;
    }

    public int size() {
        return count;
    }

    public List<T> elements() {
        decode();
        return elements;
    }

    public Batch<T> toBatch() {
        return new Batch<>(id.batchId(), id.partition(), id.range(), elements(), null);
    }

    /** The elements' bytes, one after the other; computed once. */
    synchronized byte[] encode(TypeSerializer<T> serializer) throws IOException {
        if (encoded == null || encodedWithSequences) {
            decode();
            DataOutputSerializer out = new DataOutputSerializer(Math.max(64, count * 64));
            for (T element : elements) {
                serializer.serialize(element, out);
            }
            encoded = out.getCopyOfBuffer();
            encodedWithSequences = false;
            encodedWith = serializer;
        }
        return encoded;
    }

    private synchronized void decode() {
        if (elements != null) {
            return;
        }
        List<T> decoded = new ArrayList<>(count);
        DataInputDeserializer in = new DataInputDeserializer(encoded);
        try {
            for (int i = 0; i < count; i++) {
                if (encodedWithSequences) {
                    in.readLong();
                }
                decoded.add(encodedWith.deserialize(in));
            }
            if (in.available() > 0) {
                throw new IOException(in.available() + " unexpected trailing bytes");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the elements of batch " + id, e);
        }
        elements = decoded;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BatchCommittable<?> that
                && count == that.count
                && id.equals(that.id)
                && elements().equals(that.elements());
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, count);
    }

    @Override
    public String toString() {
        return "BatchCommittable{" + id + ", " + count + " elements}";
    }
}
