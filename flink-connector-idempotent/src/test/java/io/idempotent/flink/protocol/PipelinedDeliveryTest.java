package io.idempotent.flink.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.idempotent.flink.checkpoint.FencedException;
import io.idempotent.flink.checkpoint.PartitionCheckpoint;
import io.idempotent.flink.destination.Batch;
import io.idempotent.flink.destination.SendOutcome;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import io.idempotent.flink.testutils.CountingCheckpointStore;
import io.idempotent.flink.testutils.RecordingDestination;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One store write per delivery, each carrying the commits of the delivery before; a pending range
 * found at take-over is re-sent, a fenced owner sends nothing (design.md rows P4 and P7).
 */
class PipelinedDeliveryTest {

    private static final StreamPartition A = new StreamPartition("s", "a");
    private static final StreamPartition B = new StreamPartition("s", "b");

    private final CountingCheckpointStore store = new CountingCheckpointStore();
    private final RecordingDestination<String> destination = new RecordingDestination<>();
    private final PipelinedDelivery<String> delivery =
            new PipelinedDelivery<>(store, destination, DeliveryListener.NONE);

    private static Batch<String> batch(StreamPartition partition, long from, long to) {
        return Batch.of(
                partition, SequenceRange.of(from, to), List.of(partition.partition() + from));
    }

    @Test
    void eachDeliveryIsOneWriteThatAlsoCommitsTheDeliveryBefore() {
        delivery.takeOver(A);
        delivery.takeOver(B);
        delivery.deliver(List.of(batch(A, 0, 4), batch(B, 0, 9)));
        assertThat(store.writes).hasSize(1);
        assertThat(CountingCheckpointStore.kinds(store.writes.get(0)))
                .containsExactly("MarkPending", "MarkPending");
        assertThat(store.load(A).pending().range()).isEqualTo(SequenceRange.of(0, 4));

        delivery.deliver(List.of(batch(A, 5, 6)));
        assertThat(store.writes).hasSize(2);
        assertThat(CountingCheckpointStore.kinds(store.writes.get(1)))
                .containsExactly("Commit", "Commit", "MarkPending");
        assertThat(store.load(B)).isEqualTo(new PartitionCheckpoint(1, 9, null));
        assertThat(delivery.hasDeferredCommits()).isTrue();

        delivery.commitDelivered();
        assertThat(store.writes).hasSize(3);
        assertThat(store.load(A)).isEqualTo(new PartitionCheckpoint(1, 6, null));
        assertThat(delivery.hasDeferredCommits()).isFalse();
        delivery.commitDelivered();
        assertThat(store.writes).as("nothing left to write").hasSize(3);
    }

    @Test
    void aPendingRangeFoundAtTakeOverIsResentWithoutANewMark() {
        delivery.takeOver(A);
        delivery.deliver(List.of(batch(A, 0, 4))); // its commit deferred, then the owner stops

        PipelinedDelivery<String> next =
                new PipelinedDelivery<>(store, destination, DeliveryListener.NONE);
        PartitionCheckpoint checkpoint = next.takeOver(A);
        assertThat(checkpoint.pending().range()).isEqualTo(SequenceRange.of(0, 4));
        int writes = store.writes.size();
        next.deliver(List.of(batch(A, 0, 4), batch(A, 5, 5)));
        assertThat(destination.sends())
                .extracting(RecordingDestination.Send::outcome)
                .containsExactly(
                        SendOutcome.APPLIED, SendOutcome.REPEAT_DROPPED, SendOutcome.APPLIED);
        assertThat(store.writes.subList(writes, store.writes.size()))
                .extracting(CountingCheckpointStore::kinds)
                .as("the re-send needs no write; its commit rides with the next batch's mark")
                .containsExactly(List.of("Commit", "MarkPending"));
    }

    @Test
    void aFencedOwnerWritesAndSendsNothing() {
        delivery.takeOver(A);
        delivery.deliver(List.of(batch(A, 0, 4)));
        new PipelinedDelivery<>(store, destination, DeliveryListener.NONE).takeOver(A);
        assertThatThrownBy(() -> delivery.deliver(List.of(batch(A, 5, 6))))
                .isInstanceOf(FencedException.class);
        assertThat(destination.sends()).hasSize(1);
        assertThat(store.load(A).pending().range()).isEqualTo(SequenceRange.of(0, 4));
    }

    @Test
    void takingAPartitionOverAgainDropsItsDeferredCommit() {
        delivery.takeOver(A);
        delivery.takeOver(B);
        delivery.deliver(List.of(batch(A, 0, 4), batch(B, 0, 0)));
        PartitionCheckpoint again = delivery.takeOver(A);
        assertThat(again.pending().range()).isEqualTo(SequenceRange.of(0, 4));
        delivery.deliver(List.of(batch(A, 0, 4)));
        delivery.commitDelivered();
        assertThat(store.load(A)).isEqualTo(new PartitionCheckpoint(2, 4, null));
        assertThat(store.load(B)).isEqualTo(new PartitionCheckpoint(1, 0, null));
    }

    @Test
    void aFailedDeliveryReleasesEveryPartition() {
        delivery.takeOver(A);
        delivery.takeOver(B);
        delivery.deliver(List.of(batch(A, 0, 0), batch(B, 0, 0)));
        destination.failNextSend(RecordingDestination.Fault.BEFORE_WRITE);
        // The write commits A and B and marks their next batches; then the first send fails.
        assertThatThrownBy(() -> delivery.deliver(List.of(batch(A, 1, 1), batch(B, 1, 1))))
                .isInstanceOf(DeliveryException.class);
        assertThat(delivery.owns(A)).isFalse();
        assertThat(delivery.owns(B)).isFalse();
        assertThat(delivery.takeOver(A).pending().range()).isEqualTo(SequenceRange.of(1, 1));
        delivery.deliver(List.of(batch(A, 1, 1), batch(A, 2, 2)));
        delivery.commitDelivered();
        assertThat(store.load(A).committed()).isEqualTo(2);
        assertThat(store.load(B).pending().range())
                .as("left for its next owner")
                .isEqualTo(SequenceRange.of(1, 1));
    }

    @Test
    void refusesBatchesOfPartitionsNotTakenOver() {
        assertThatThrownBy(() -> delivery.deliver(List.of(batch(A, 0, 0))))
                .hasMessage("Batch s/a/0-0 is of a partition not taken over.");
    }
}
