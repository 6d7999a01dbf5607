package io.idempotent.flink.stream;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;

/**
 * A record read from a partitioned stream: where it comes from (partition and sequence number), an
 * optional key, the payload bytes and a timestamp in epoch milliseconds. Sequence numbers strictly
 * increase within a partition but need not be dense.
 */
@PublicEvolving
public final class PartitionRecord implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String partition;
    private final long sequence;
    @Nullable private final byte[] key;
    private final byte[] payload;
    private final long timestamp;

    public PartitionRecord(
            String partition, long sequence, @Nullable byte[] key, byte[] payload, long timestamp) {
        this.partition = Objects.requireNonNull(partition, "partition");
        if (sequence < 0) {
            throw new IllegalArgumentException(
                    "Sequence numbers are never negative, but got " + sequence + ".");
        }
        this.sequence = sequence;
        this.key = key;
        this.payload = Objects.requireNonNull(payload, "payload");
        this.timestamp = timestamp;
    }

    public String partition() {
        return partition;
    }

    public long sequence() {
        return sequence;
    }

    /** The key, or {@code null} when the record has none. The array is not copied. */
    @Nullable
    public byte[] key() {
        return key;
    }

    /** The payload. The array is not copied. */
    public byte[] payload() {
        return payload;
    }

    public long timestamp() {
        return timestamp;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof PartitionRecord)) {
            return false;
        }
        PartitionRecord that = (PartitionRecord) o;
        return sequence == that.sequence
                && timestamp == that.timestamp
                && partition.equals(that.partition)
                && Arrays.equals(key, that.key)
                && Arrays.equals(payload, that.payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(partition, sequence, timestamp)
                + 31 * Arrays.hashCode(key)
                + 961 * Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "PartitionRecord{"
                + partition
                + "#"
                + sequence
                + ", "
                + payload.length
                + " bytes, ts="
                + timestamp
                + "}";
    }
}
