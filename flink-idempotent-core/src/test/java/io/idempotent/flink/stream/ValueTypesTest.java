package io.idempotent.flink.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.checkpoint.PartitionCheckpoint;
import io.idempotent.flink.checkpoint.PendingCheckpoint;
import org.junit.jupiter.api.Test;

/** Validation of the small value types that every other part relies on. */
class ValueTypesTest {

    @Test
    void sequenceRangesAreClosedAndNonNegative() {
        SequenceRange range = SequenceRange.of(3, 5);
        assertThat(range.contains(3)).isTrue();
        assertThat(range.contains(5)).isTrue();
        assertThat(range.contains(6)).isFalse();
        assertThat(SequenceRange.of(7, 7).contains(7)).isTrue();
        assertThatThrownBy(() -> SequenceRange.of(5, 3))
                .hasMessage("A sequence range needs 0 <= from <= to, but got [5, 3].");
        assertThatThrownBy(() -> SequenceRange.of(-1, 3))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void partitionsAndRecordsRejectWhatCannotBeAddressed() {
        assertThatThrownBy(() -> new StreamPartition("", "0"))
                .hasMessageContaining("must not be empty");
        assertThatThrownBy(() -> new PartitionRecord("0", -2, null, new byte[0], 0))
                .hasMessageContaining("never negative");
        assertThat(new StreamPartition("s", "b")).isGreaterThan(new StreamPartition("s", "a"));
    }

    @Test
    void aCheckpointCannotHoldAPendingRangeAtOrBelowItsCommittedPosition() {
        SequenceRange range = SequenceRange.of(5, 9);
        PendingCheckpoint pending =
                new PendingCheckpoint(
                        range, BatchId.of(new StreamPartition("s", "0"), range), null);
        assertThat(new PartitionCheckpoint(1, 4, pending).nextSequence()).isEqualTo(5);
        assertThatThrownBy(() -> new PartitionCheckpoint(1, 5, pending))
                .hasMessageContaining("overlaps committed 5");
        assertThatThrownBy(() -> new PartitionCheckpoint(1, -2, null))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
