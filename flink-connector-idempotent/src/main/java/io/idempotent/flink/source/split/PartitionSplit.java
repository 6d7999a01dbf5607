package io.idempotent.flink.source.split;

import io.idempotent.flink.checkpoint.PendingCheckpoint;
import io.idempotent.flink.stream.StreamPartition;
import java.util.Objects;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceSplit;

/**
 * One stream partition as a split: where reading continues, where it stops (bounded reads), and a
 * pending range that must be replayed, exactly, before anything else.
 *
 * @param partition the stream partition
 * @param nextSequence the first sequence number still to read (records below it are done)
 * @param stopSequence reading ends before this sequence number; {@link #UNBOUNDED} never ends
 * @param pending a pending checkpoint found in the store, to replay first; {@code null} if none
 */
@Internal
public record PartitionSplit(
        StreamPartition partition,
        long nextSequence,
        long stopSequence,
        @Nullable PendingCheckpoint pending)
        implements SourceSplit {

    /** The stop sequence of a split that is read forever. */
    public static final long UNBOUNDED = Long.MAX_VALUE;

    public PartitionSplit {
        Objects.requireNonNull(partition, "partition");
        if (nextSequence < 0 || stopSequence < 0) {
            throw new IllegalArgumentException(
                    "Split " + partition + " needs non-negative positions, got " + nextSequence);
        }
        if (pending != null && pending.range().from() < nextSequence) {
            throw new IllegalArgumentException(
                    "Split "
                            + partition
                            + ": pending "
                            + pending
                            + " starts before the next sequence "
                            + nextSequence);
        }
    }

    @Override
    public String splitId() {
        return partition.toString();
    }

    public boolean isBounded() {
        return stopSequence != UNBOUNDED;
    }
}
