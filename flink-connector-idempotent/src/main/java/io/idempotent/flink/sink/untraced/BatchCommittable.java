package io.idempotent.flink.sink.untraced;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.destination.Batch;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
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
 * A batch that becomes a pending checkpoint once its Flink checkpoint completes: plain data (the
 * identity, the origin range, the elements and the sequence number each element came from), never a
 * client.
 *
 * <p>Committables carry checkpoint identities minted by {@link
 * io.idempotent.flink.sink.untraced.CheckpointBatchingWriter}. The {@code traced} flag (origin
 * identities) stays in the format for the state of earlier versions, whose {@code IdempotentSink}
 * kept its batches here; this version refuses such a batch with a clear error.
 *
 * <p>Flink serializes a committable more than once (a copy from the writer to the chained
 * committer, then the committer's state at each checkpoint), so the elements are encoded once and
 * the bytes kept: a later serialization copies them, and a deserialized committable decodes its
 * elements only when they are used.
 */
@Internal
public final class BatchCommittable<T> {

    private final BatchId id;
    private final StreamPartition partition;
    private final SequenceRange range;
    private final boolean traced;
    private final int count;
    private List<T> elements;
    private List<Long> sequences;
    private byte[] encoded;
    private TypeSerializer<T> encodedWith;

    public BatchCommittable(
            BatchId id,
            StreamPartition partition,
            SequenceRange range,
            List<T> elements,
            List<Long> sequences,
            boolean traced) {
        this(id, partition, range, traced, elements.size());
        this.elements = List.copyOf(elements);
        this.sequences = List.copyOf(sequences);
        if (elements.size() != sequences.size()) {
            throw new IllegalArgumentException(
                    id + ": " + elements.size() + " elements but " + sequences.size() + " origins");
        }
    }

    private BatchCommittable(
            BatchId id, StreamPartition partition, SequenceRange range, boolean traced, int count) {
        this.id = Objects.requireNonNull(id, "id");
        this.partition = Objects.requireNonNull(partition, "partition");
        this.range = Objects.requireNonNull(range, "range");
        this.traced = traced;
        this.count = count;
    }

    /** A committable read from bytes; its elements are decoded on first use. */
    static <T> BatchCommittable<T> encoded(
            BatchId id,
            StreamPartition partition,
            SequenceRange range,
            boolean traced,
            int count,
            byte[] encoded,
            TypeSerializer<T> serializer) {
        BatchCommittable<T> committable =
                new BatchCommittable<>(id, partition, range, traced, count);
        committable.encoded = encoded;
        committable.encodedWith = serializer;
        return committable;
    }

    public BatchId id() {
        return id;
    }

    public StreamPartition partition() {
        return partition;
    }

    public SequenceRange range() {
        return range;
    }

    public boolean traced() {
        return traced;
    }

    public int size() {
        return count;
    }

    public List<T> elements() {
        decode();
        return elements;
    }

    public List<Long> sequences() {
        decode();
        return sequences;
    }

    public Batch<T> toBatch() {
        return new Batch<>(id, partition, range, elements(), null);
    }

    /** Each element as its sequence number and its bytes; computed once. */
    synchronized byte[] encode(TypeSerializer<T> serializer) throws IOException {
        if (encoded == null) {
            DataOutputSerializer out = new DataOutputSerializer(Math.max(64, count * 64));
            for (int i = 0; i < count; i++) {
                out.writeLong(sequences.get(i));
                serializer.serialize(elements.get(i), out);
            }
            encoded = out.getCopyOfBuffer();
            encodedWith = serializer;
        }
        return encoded;
    }

    private synchronized void decode() {
        if (elements != null) {
            return;
        }
        List<T> decodedElements = new ArrayList<>(count);
        List<Long> decodedSequences = new ArrayList<>(count);
        DataInputDeserializer in = new DataInputDeserializer(encoded);
        try {
            for (int i = 0; i < count; i++) {
                decodedSequences.add(in.readLong());
                decodedElements.add(encodedWith.deserialize(in));
            }
            if (in.available() > 0) {
                throw new IOException(in.available() + " unexpected trailing bytes");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the elements of batch " + id, e);
        }
        elements = decodedElements;
        sequences = decodedSequences;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof BatchCommittable)) {
            return false;
        }
        BatchCommittable<?> that = (BatchCommittable<?>) o;
        return traced == that.traced
                && count == that.count
                && id.equals(that.id)
                && partition.equals(that.partition)
                && range.equals(that.range)
                && elements().equals(that.elements())
                && sequences().equals(that.sequences());
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, range, count);
    }

    @Override
    public String toString() {
        return "BatchCommittable{" + id + ", " + count + " elements}";
    }
}
