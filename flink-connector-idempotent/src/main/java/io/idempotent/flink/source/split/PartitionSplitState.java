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
        if (pending != null && sequence >= pending.range().to()) {
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
