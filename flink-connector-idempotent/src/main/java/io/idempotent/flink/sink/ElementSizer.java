package io.idempotent.flink.sink;

import io.idempotent.flink.origin.Origin;
import io.idempotent.flink.origin.Traced;
import io.idempotent.flink.origin.TracedSerializer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.ToLongFunction;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * An element's size in bytes as Flink serializes it: what {@link BatchLimit#maxBytes()} counts, an
 * estimate of what the destination receives. Strings and origins are counted without being written
 * (writing them character by character was half of a sink's work per element); other values are
 * serialized into a buffer and counted. Touched by the task thread only.
 */
@Internal
public final class ElementSizer<T> {

    /** Characters a string's count copies out at a time. */
    static final int CHUNK = 1024;

    private final ToLongFunction<T> sizing;

    public ElementSizer(TypeSerializer<T> serializer) {
        this.sizing = sizing(serializer);
    }

    public long sizeOf(T element) {
        return sizing.applyAsLong(element);
    }

    @SuppressWarnings("unchecked")
    private static <T> ToLongFunction<T> sizing(TypeSerializer<T> serializer) {
        if (serializer instanceof StringSerializer) {
            char[] chunk = new char[CHUNK];
            return element -> stringSize((String) element, chunk);
        }
        if (serializer instanceof TracedSerializer<?> traced) {
            ToLongFunction<Object> value =
                    sizing((TypeSerializer<Object>) traced.valueSerializer());
            OriginSizes origins = new OriginSizes();
            return element -> {
                Traced<?> tracedElement = (Traced<?>) element;
                return origins.sizeOf(tracedElement.origin())
                        + value.applyAsLong(tracedElement.value());
            };
        }
        DataOutputSerializer buffer = new DataOutputSerializer(256);
        return element -> {
            buffer.clear();
            try {
                serializer.serialize(element, buffer);
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "Cannot serialize an element to measure its size", e);
            }
            return buffer.length();
        };
    }

    /**
     * Origins' sizes: the same for every record of a partition read forward (its sequence number is
     * of fixed length), so the last one is kept for the records after it, which share its stream
     * and partition names.
     */
    private static final class OriginSizes {
        private String stream;
        private String partition;
        private long size;

        long sizeOf(Origin origin) {
            if (origin.replaying() != null) {
                return TracedSerializer.originSize(origin);
            }
            if (!origin.stream().equals(stream) || !origin.partition().equals(partition)) {
                size = TracedSerializer.originSize(origin);
                stream = origin.stream();
                partition = origin.partition();
            }
            return size;
        }
    }

    /**
     * What {@link StringSerializer} writes ({@code StringValue.writeString}): the length plus one
     * (0 for {@code null}) in 7-bit groups, then each character in 7-bit groups.
     *
     * <p>The characters are copied into {@code chunk} a chunk at a time and counted there: a loop
     * of {@code String.charAt} ran 13 times slower in some JVMs than in others (the compiler had
     * not inlined the call; a task thread's CPU per record was four times as high for the life of
     * the JVM), a loop over an array calls nothing. 80 ns for a line of 240 characters either way,
     * against 50 ns for the loop of {@code charAt} inlined and 680 ns not inlined.
     */
    static long stringSize(String text, char[] chunk) {
        if (text == null) {
            return 1;
        }
        int length = text.length();
        long size = groupsOf7(length + 1L) + length;
        for (int from = 0; from < length; from += chunk.length) {
            int count = Math.min(chunk.length, length - from);
            text.getChars(from, from + count, chunk, 0);
            for (int i = 0; i < count; i++) {
                char c = chunk[i];
                if (c >= 0x80) {
                    size += c >= 0x4000 ? 2 : 1;
                }
            }
        }
        return size;
    }

    private static int groupsOf7(long value) {
        int groups = 1;
        while (value >= 0x80) {
            value >>>= 7;
            groups++;
        }
        return groups;
    }
}
