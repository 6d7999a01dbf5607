package io.idempotent.flink.source.split;

import io.idempotent.flink.checkpoint.PendingCheckpoint;
import io.idempotent.flink.stream.StreamPartition;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;

/** The mutable reading position of a {@link PartitionSplit}; touched by the reader thread only. */
@Internal
public final class PartitionSplitState {

    private final PartitionSplit split;
    private long nextSequence;
    @Nullable private PendingCheckpoint pending;

    public PartitionSplitState(PartitionSplit split) {
        this.split = split;
        this.nextSequence = split.nextSequence();
        this.pending = split.pending();
    }

    /** Records that everything up to {@code sequence} was emitted; a replay ends with its range. */
    public void emittedUpTo(long sequence) {
        // A replay of a range before the position does not move the position back.
        nextSequence = Math.max(nextSequence, sequence + 1);
        // Past the start of the split's pending range, the range was replayed, or it was committed
        // by another owner since the split was made and read through as ordinary records; which
        // range to replay next is the store's to say (the reader looks it up on assignment).
        if (pending != null && nextSequence > pending.range().from()) {
            pending = null;
        }
    }

    public StreamPartition partition() {
        return split.partition();
    }

    public PartitionSplit toSplit() {
        return new PartitionSplit(split.partition(), nextSequence, split.stopSequence(), pending);
    }
}
