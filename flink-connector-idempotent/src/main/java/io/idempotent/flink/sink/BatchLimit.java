package io.idempotent.flink.sink;

import java.io.Serializable;
import java.util.Objects;
import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.MemorySize;

/**
 * How large a batch may grow: {@code sink.batch.max-records} elements and {@code
 * sink.batch.max-bytes} bytes, the bytes counted as Flink serializes the elements. A batch holds at
 * least one element, however large.
 */
@Internal
public record BatchLimit(int maxRecords, long maxBytes) implements Serializable {

    public BatchLimit {
        if (maxRecords < 1 || maxBytes < 1) {
            throw new IllegalArgumentException(
                    "A batch limit needs at least one record and one byte, not "
                            + maxRecords
                            + " records and "
                            + maxBytes
                            + " bytes.");
        }
    }

    /** {@code sink.batch.max-records}, checked where a builder takes it. */
    public static int requireRecords(int records) {
        if (records < 1) {
            throw new IllegalArgumentException(
                    "sink.batch.max-records must be at least 1, not " + records + ".");
        }
        return records;
    }

    /** {@code sink.batch.max-bytes}, checked where a builder takes it. */
    public static MemorySize requireBytes(MemorySize bytes) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.getBytes() < 1) {
            throw new IllegalArgumentException(
                    "sink.batch.max-bytes must be at least 1 byte, not " + bytes + ".");
        }
        return bytes;
    }

    /**
     * The size the byte limit counts for {@code element}: 0, without measuring, when bytes are
     * unbounded.
     */
    public <E> long sizeOf(ElementSizer<E> sizer, E element) {
        return maxBytes == Long.MAX_VALUE ? 0 : sizer.sizeOf(element);
    }

    /**
     * Whether a batch of {@code records} elements and {@code bytes} bytes takes no element of
     * {@code next} bytes more.
     */
    public boolean isFull(int records, long bytes, long next) {
        return records >= maxRecords || (records > 0 && bytes + next > maxBytes);
    }
}
