package io.idempotent.flink.sink;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * An element's size in bytes as Flink serializes it: what {@link BatchLimit#maxBytes()} counts, an
 * estimate of what the destination receives that costs one serialization per element. Touched by
 * the task thread only.
 */
@Internal
public final class ElementSizer<T> {

    private final TypeSerializer<T> serializer;
    private final DataOutputSerializer buffer = new DataOutputSerializer(256);

    public ElementSizer(TypeSerializer<T> serializer) {
        this.serializer = serializer;
    }

    public long sizeOf(T element) {
        buffer.clear();
        try {
            serializer.serialize(element, buffer);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot serialize an element to measure its size", e);
        }
        return buffer.length();
    }
}
