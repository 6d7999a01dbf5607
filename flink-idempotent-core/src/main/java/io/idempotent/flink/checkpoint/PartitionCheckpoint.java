package io.idempotent.flink.checkpoint;

import java.io.Serializable;
import java.util.Optional;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;

/**
 * What a store holds for one partition.
 *
 * @param epoch the owner epoch handed out by the latest {@code acquire}; 0 before the first
 * @param committed the last sequence number delivered and committed, or {@link #NOTHING_COMMITTED}
 * @param pending the range being sent, if any; at most one
 */
@Internal
public record PartitionCheckpoint(long epoch, long committed, @Nullable PendingCheckpoint pending)
        implements Serializable {

    /** The committed position of a partition of which nothing has been committed yet. */
    public static final long NOTHING_COMMITTED = -1;

    /** A partition nobody has acquired or committed yet. */
    public static final PartitionCheckpoint INITIAL =
            new PartitionCheckpoint(0, NOTHING_COMMITTED, null);

    public PartitionCheckpoint {
        if (epoch < 0 || committed < NOTHING_COMMITTED) {
            throw new IllegalArgumentException(
                    "Bad checkpoint: epoch " + epoch + ", committed " + committed);
        }
        if (pending != null && pending.range().from() <= committed) {
            throw new IllegalArgumentException(
                    "Bad checkpoint: pending " + pending + " overlaps committed " + committed);
        }
    }

    public Optional<PendingCheckpoint> pendingCheckpoint() {
        return Optional.ofNullable(pending);
    }

    /** The first sequence number that reading new records starts from. */
    public long nextSequence() {
        return committed + 1;
    }

    PartitionCheckpoint withEpoch(long newEpoch) {
        return new PartitionCheckpoint(newEpoch, committed, pending);
    }

    @Override
    public String toString() {
        return "epoch "
                + epoch
                + ", committed "
                + (committed == NOTHING_COMMITTED ? "none" : Long.toString(committed))
                + ", pending "
                + (pending == null ? "none" : pending.toString());
    }
}
