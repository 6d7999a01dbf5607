package io.idempotent.flink.sink.committer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.checkpoint.CheckpointConflictException;
import io.idempotent.flink.checkpoint.PartitionCheckpoint;
import io.idempotent.flink.checkpoint.PendingCheckpoint;
import io.idempotent.flink.destination.Batch;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import java.util.List;
import org.junit.jupiter.api.Test;

class StoreAlignmentTest {

    private static final StreamPartition P = new StreamPartition("s", "0");

    private static BatchCommittable<String> committable(long from, long to) {
        return new BatchCommittable<>(
                BatchId.of(P, SequenceRange.of(from, to)),
                P,
                SequenceRange.of(from, to),
                List.of("x" + from, "x" + to),
                List.of(from, to),
                true);
    }

    @Test
    void aBatchAfterTheCommittedPositionIsLeftAlone() {
        Batch<String> batch =
                StoreAlignment.align(committable(10, 20), new PartitionCheckpoint(1, 9, null));
        assertThat(batch.id()).isEqualTo(BatchId.of(P, SequenceRange.of(10, 20)));
    }

    /** Proves design.md row F7 at the committer: the committed prefix is dropped, not re-sent. */
    @Test
    void aBatchThatStraddlesTheCommittedPositionKeepsOnlyWhatIsNew() {
        Batch<String> batch =
                StoreAlignment.align(committable(10, 20), new PartitionCheckpoint(1, 15, null));
        assertThat(batch.range()).isEqualTo(SequenceRange.of(20, 20));
        assertThat(batch.id()).isEqualTo(BatchId.of(P, SequenceRange.of(20, 20)));
        assertThat(batch.elements()).containsExactly("x20");
        assertThat(
                        StoreAlignment.align(
                                        committable(10, 20), new PartitionCheckpoint(1, 25, null))
                                .range())
                .as("wholly committed: the protocol acknowledges it without a send")
                .isEqualTo(SequenceRange.of(10, 20));
    }

    @Test
    void aBatchOverlappingAnotherPendingRangeIsAClearError() {
        PendingCheckpoint pending =
                new PendingCheckpoint(
                        SequenceRange.of(12, 30), BatchId.of(P, SequenceRange.of(12, 30)), null);
        assertThatThrownBy(
                        () ->
                                StoreAlignment.align(
                                        committable(10, 20),
                                        new PartitionCheckpoint(1, 9, pending)))
                .isInstanceOf(CheckpointConflictException.class)
                .hasMessageContaining("older savepoint");
    }
}
