package io.idempotent.flink.source.split;

import static org.assertj.core.api.Assertions.assertThat;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.checkpoint.PendingCheckpoint;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import org.junit.jupiter.api.Test;

/** The reading position a split snapshot takes (design.md rows F6 and F14). */
class PartitionSplitStateTest {

    private static final StreamPartition P = new StreamPartition("s", "3");
    private static final SequenceRange RANGE = SequenceRange.of(102, 182);
    private static final PendingCheckpoint PENDING =
            new PendingCheckpoint(RANGE, BatchId.of("sink", P, RANGE), null);

    /**
     * A job started from the checkpoint store takes a split whose pending range was the store's at
     * discovery; another owner may have committed it since, and the reader then reads through it as
     * ordinary records. A snapshot taken inside the range must not carry the stale range (it used
     * to fail every checkpoint: "pending ... starts before the next sequence").
     */
    @Test
    void aPendingRangeReadThroughIsNotSnapshotted() {
        PartitionSplitState state =
                new PartitionSplitState(
                        new PartitionSplit(P, 102, PartitionSplit.UNBOUNDED, PENDING));
        state.emittedUpTo(121);
        assertThat(state.toSplit())
                .isEqualTo(new PartitionSplit(P, 122, PartitionSplit.UNBOUNDED, null));
    }

    @Test
    void aPendingRangeAheadOfThePositionIsKeptUntilReached() {
        PartitionSplitState state =
                new PartitionSplitState(
                        new PartitionSplit(P, 90, PartitionSplit.UNBOUNDED, PENDING));
        state.emittedUpTo(101);
        assertThat(state.toSplit().pending()).isEqualTo(PENDING);
        state.emittedUpTo(182);
        assertThat(state.toSplit())
                .isEqualTo(new PartitionSplit(P, 183, PartitionSplit.UNBOUNDED, null));
    }
}
