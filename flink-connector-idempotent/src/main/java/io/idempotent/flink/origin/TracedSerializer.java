package io.idempotent.flink.origin;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.checkpoint.PendingCheckpoint;
import io.idempotent.flink.stream.SequenceRange;
import java.io.IOException;
import java.util.Objects;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.CompositeTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializes {@link Traced} elements: the origin field by field, the value with its own serializer.
 * Origins are immutable, so a copy shares the origin and copies only the value.
 */
@Internal
public final class TracedSerializer<T> extends TypeSerializer<Traced<T>> {

    private static final long serialVersionUID = 1L;

    private final TypeSerializer<T> valueSerializer;

    public TracedSerializer(TypeSerializer<T> valueSerializer) {
        this.valueSerializer = Objects.requireNonNull(valueSerializer, "valueSerializer");
    }

    public TypeSerializer<T> valueSerializer() {
        return valueSerializer;
    }

    @Override
    public boolean isImmutableType() {
        return valueSerializer.isImmutableType();
    }

    @Override
    public TypeSerializer<Traced<T>> duplicate() {
        TypeSerializer<T> duplicate = valueSerializer.duplicate();
        return duplicate == valueSerializer ? this : new TracedSerializer<>(duplicate);
    }

    @Override
    public Traced<T> createInstance() {
        return null;
    }

    @Override
    public Traced<T> copy(Traced<T> from) {
        if (valueSerializer.isImmutableType()) {
            return from;
        }
        return from.withValue(valueSerializer.copy(from.value()));
    }

    @Override
    public Traced<T> copy(Traced<T> from, Traced<T> reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(Traced<T> traced, DataOutputView target) throws IOException {
        writeOrigin(traced.origin(), target);
        valueSerializer.serialize(traced.value(), target);
    }

    @Override
    public Traced<T> deserialize(DataInputView source) throws IOException {
        Origin origin = readOrigin(source);
        return new Traced<>(origin, valueSerializer.deserialize(source));
    }

    /** Writes {@code origin} as this serializer does, ahead of the value. */
    public static void writeOrigin(Origin origin, DataOutputView target) throws IOException {
        target.writeUTF(origin.stream());
        target.writeUTF(origin.partition());
        target.writeLong(origin.sequence());
        target.writeInt(origin.readerSubtask());
        PendingCheckpoint replaying = origin.replaying();
        target.writeBoolean(replaying != null);
        if (replaying != null) {
            target.writeLong(replaying.range().from());
            target.writeLong(replaying.range().to());
            target.writeUTF(replaying.batchId().value());
            target.writeBoolean(replaying.location() != null);
            if (replaying.location() != null) {
                target.writeUTF(replaying.location());
            }
        }
    }

    /**
     * How many bytes {@link #writeOrigin} writes for {@code origin}, counted without writing: the
     * sink measures every element against its byte limit.
     */
    public static long originSize(Origin origin) {
        long size = utfSize(origin.stream()) + utfSize(origin.partition()) + 8 + 4 + 1;
        PendingCheckpoint replaying = origin.replaying();
        if (replaying != null) {
            size += 8 + 8 + utfSize(replaying.batchId().value()) + 1;
            if (replaying.location() != null) {
                size += utfSize(replaying.location());
            }
        }
        return size;
    }

    /** What {@link DataOutputView#writeUTF} writes: a length of two bytes, modified UTF-8. */
    private static long utfSize(String text) {
        long size = 2 + text.length();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 0 || c >= 0x80) {
                size += c >= 0x800 ? 2 : 1;
            }
        }
        return size;
    }

    /** Reads what {@link #writeOrigin} wrote. */
    public static Origin readOrigin(DataInputView source) throws IOException {
        String stream = source.readUTF();
        String partition = source.readUTF();
        long sequence = source.readLong();
        int readerSubtask = source.readInt();
        PendingCheckpoint replaying = null;
        if (source.readBoolean()) {
            SequenceRange range = SequenceRange.of(source.readLong(), source.readLong());
            BatchId id = BatchId.parse(source.readUTF());
            String location = source.readBoolean() ? source.readUTF() : null;
            replaying = new PendingCheckpoint(range, id, location);
        }
        return new Origin(stream, partition, sequence, replaying, readerSubtask);
    }

    @Override
    public Traced<T> deserialize(Traced<T> reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof TracedSerializer<?> other
                && valueSerializer.equals(other.valueSerializer);
    }

    @Override
    public int hashCode() {
        return 31 * valueSerializer.hashCode() + 7;
    }

    @Override
    public TypeSerializerSnapshot<Traced<T>> snapshotConfiguration() {
        return new Snapshot<>(this);
    }

    /**
     * Version 1 of the origin format, with the value serializer's own snapshot nested. Not final:
     * the snapshot class of 0.1.0 ({@code source.TracedSerializer.Snapshot}) is this one under its
     * old name.
     */
    public static class Snapshot<T>
            extends CompositeTypeSerializerSnapshot<Traced<T>, TracedSerializer<T>> {

        public Snapshot() {}

        Snapshot(TracedSerializer<T> serializer) {
            super(serializer);
        }

        @Override
        protected int getCurrentOuterSnapshotVersion() {
            return 1;
        }

        @Override
        protected TypeSerializer<?>[] getNestedSerializers(TracedSerializer<T> outer) {
            return new TypeSerializer<?>[] {outer.valueSerializer()};
        }

        @Override
        @SuppressWarnings("unchecked")
        protected TracedSerializer<T> createOuterSerializerWithNestedSerializers(
                TypeSerializer<?>[] nested) {
            return new TracedSerializer<>((TypeSerializer<T>) nested[0]);
        }
    }
}
