package io.idempotent.flink.sink.writer;

import java.io.Serializable;
import org.apache.flink.annotation.Internal;

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

    /**
     * The size the byte limit counts for {@code element}: 0, without measuring, when bytes are
     * unbounded.
     */
    <E> long sizeOf(ElementSizer<E> sizer, E element) {
        return maxBytes == Long.MAX_VALUE ? 0 : sizer.sizeOf(element);
    }

    /**
     * Whether a batch of {@code records} elements and {@code bytes} bytes takes no element of
     * {@code next} bytes more.
     */
    boolean isFull(int records, long bytes, long next) {
        return records >= maxRecords || (records > 0 && bytes + next > maxBytes);
    }
}
