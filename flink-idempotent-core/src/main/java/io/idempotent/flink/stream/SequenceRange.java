package io.idempotent.flink.stream;

import java.io.Serializable;
import org.apache.flink.annotation.PublicEvolving;

/**
 * A closed range {@code [from, to]} of sequence numbers within one partition. Sequence numbers are
 * never negative; a range holds at least one sequence number.
 */
@PublicEvolving
public record SequenceRange(long from, long to) implements Serializable {

    public SequenceRange {
        if (from < 0 || to < from) {
            throw new IllegalArgumentException(
                    String.format(
                            "A sequence range needs 0 <= from <= to, but got [%d, %d].", from, to));
        }
    }

    public static SequenceRange of(long from, long to) {
        return new SequenceRange(from, to);
    }

    public boolean contains(long sequence) {
        return sequence >= from && sequence <= to;
    }

    @Override
    public String toString() {
        return "[" + from + ", " + to + "]";
    }
}
