package io.idempotent.flink.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.checkpoint.CheckpointConflictException;
import io.idempotent.flink.checkpoint.FencedException;
import io.idempotent.flink.checkpoint.PartitionCheckpoint;
import io.idempotent.flink.checkpoint.PendingCheckpoint;
import io.idempotent.flink.destination.Batch;
import io.idempotent.flink.destination.SendOutcome;
import io.idempotent.flink.fakes.CountingCheckpointStore;
import io.idempotent.flink.fakes.RecordingDestination;
import io.idempotent.flink.fakes.RecordingDestination.Fault;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The delivery engine: mark pending, send, commit; one store write per delivery, each carrying the
 * commits of the delivery before; a pending range found at take-over is re-sent, a fenced owner
 * sends nothing (design.md rows P4 and P7).
 */
class BatchDeliveryTest {

    private static final StreamPartition A = new StreamPartition("s", "a");
    private static final StreamPartition B = new StreamPartition("s", "b");

    private final CountingCheckpointStore store = new CountingCheckpointStore();
    private final RecordingDestination<String> destination = new RecordingDestination<>();
    private final BatchDelivery<String, PartitionCheckpoint> delivery = newDelivery();

    /** What the delivery made by {@link #newDelivery} did, counted from its events. */
    private DeliveryCounts counts;

    private BatchDelivery<String, PartitionCheckpoint> newDelivery() {
        counts = new DeliveryCounts();
        return new BatchDelivery<>(store, destination, counts);
    }

    private static Batch<String> batch(StreamPartition partition, long from, long to) {
        return Batch.of(
                partition, SequenceRange.of(from, to), List.of(partition.partition() + from));
    }

    @Test
    void marksSendsAndCommitsWithOneWritePerRoundAndDefersTheLastCommits() {
        long epochA = delivery.takeOver(A, c -> c).epoch();
        long epochB = delivery.takeOver(B, c -> c).epoch();
        assertThat(counts.storeWrites()).as("the take-overs").isEqualTo(2);
        delivery.deliver(List.of(batch(A, 0, 4), batch(B, 0, 1), batch(A, 5, 9)));

        assertThat(counts.batchesSent()).isEqualTo(3);
        assertThat(counts.elementsSent()).isEqualTo(3);
        assertThat(counts.storeWrites()).isEqualTo(4);
        delivery.commitDelivered();
        assertThat(counts.storeWrites()).isEqualTo(5);
        // Round 1 marks A and B; round 2 commits them and marks A's second batch; then its commit.
        assertThat(store.writes).hasSize(3);
        assertThat(store.writes.get(0)).hasSize(2);
        assertThat(store.writes.get(1)).hasSize(3);
        assertThat(store.writes.get(2)).hasSize(1);
        assertThat(store.load(A)).isEqualTo(new PartitionCheckpoint(epochA, 9, null));
        assertThat(store.load(B)).isEqualTo(new PartitionCheckpoint(epochB, 1, null));
        assertThat(destination.sends())
                .extracting(RecordingDestination.Send::id)
                .containsExactly(
                        BatchId.of(A, SequenceRange.of(0, 4)),
                        BatchId.of(B, SequenceRange.of(0, 1)),
                        BatchId.of(A, SequenceRange.of(5, 9)));
    }

    /** Proves design.md row P4. */
    @Test
    void aFailedSendStaysPendingAndIsResentUnderTheSameIdentity() {
        delivery.takeOver(A, c -> c);
        destination.failNextSend(Fault.AFTER_WRITE);
        assertThatThrownBy(() -> delivery.deliver(List.of(batch(A, 0, 4))))
                .isInstanceOf(DeliveryException.class)
                .hasMessageContaining("s/a")
                .hasMessageContaining("[0, 4]")
                .hasMessageContaining("stays pending");
        assertThat(store.load(A).pending().range()).isEqualTo(SequenceRange.of(0, 4));

        assertThat(delivery.takeOver(A, c -> c).pending().range())
                .isEqualTo(SequenceRange.of(0, 4));
        long replayedBefore = counts.replayed();
        delivery.deliver(List.of(batch(A, 0, 4)));
        assertThat(counts.replayed()).isEqualTo(replayedBefore + 1);
        assertThat(counts.repeatsDropped()).isEqualTo(1);
        assertThat(destination.sends())
                .extracting(RecordingDestination.Send::outcome)
                .containsExactly(SendOutcome.APPLIED, SendOutcome.REPEAT_DROPPED);
        delivery.commitDelivered();
        assertThat(store.load(A).committed()).isEqualTo(4);
    }

    @Test
    void aDeliveryReadsNoCheckpointTheTakeOverLoaded() {
        delivery.takeOver(A, c -> c);
        int loadsBefore = store.loads;
        delivery.deliver(List.of(batch(A, 0, 4), batch(A, 5, 9)));
        delivery.commitDelivered();
        assertThat(store.loads).isEqualTo(loadsBefore);
        assertThat(store.load(A).committed()).isEqualTo(9);
    }

    @Test
    void aCommittedBatchIsAcknowledgedWithoutASend() {
        delivery.takeOver(A, c -> c);
        delivery.deliver(List.of(batch(A, 0, 4)));
        delivery.commitDelivered();
        long sentBefore = counts.batchesSent();
        delivery.deliver(List.of(batch(A, 0, 4)));
        assertThat(counts.alreadyCommitted()).isEqualTo(1);
        assertThat(counts.batchesSent()).isEqualTo(sentBefore);
        assertThat(destination.sends()).hasSize(1);
    }

    /** Proves design.md row P7. */
    @Test
    void aZombieIsFencedBeforeItSendsAnything() {
        delivery.takeOver(A, c -> c);
        store.acquire(A);
        assertThatThrownBy(() -> delivery.deliver(List.of(batch(A, 0, 4))))
                .isInstanceOf(FencedException.class);
        assertThat(destination.sends()).isEmpty();
    }

    @Test
    void aBatchThatDoesNotMatchThePendingOneIsRefused() {
        long epoch = store.acquire(A);
        store.markPending(
                A,
                epoch,
                new PendingCheckpoint(
                        SequenceRange.of(0, 4), BatchId.of(A, SequenceRange.of(0, 4)), null));
        delivery.takeOver(A, c -> c);
        assertThatThrownBy(() -> delivery.deliver(List.of(batch(A, 0, 6))))
                .isInstanceOf(CheckpointConflictException.class)
                .hasMessageContaining("must be replayed first");
        assertThat(destination.sends()).isEmpty();
    }

    @Test
    void keepsTheCallersStateOfEachOwnedPartitionUntilItIsReleased() {
        delivery.takeOver(A, c -> c);
        delivery.takeOver(B, c -> c);
        assertThat(delivery.states()).hasSize(2);
        assertThat(delivery.state(A)).isEqualTo(store.load(A));
        delivery.release(A);
        assertThat(delivery.state(A)).isNull();
        assertThat(delivery.states()).containsExactly(store.load(B));
        assertThatThrownBy(
                        () ->
                                delivery.takeOver(
                                        A,
                                        c -> {
                                            throw new IllegalStateException("refused");
                                        }))
                .hasMessage("refused");
        assertThat(delivery.owns(A)).as("a refused take-over owns nothing").isFalse();
    }

    @Test
    void tellsTheListenerEachStepOfEachBatch() {
        List<String> events = new ArrayList<>();
        DeliveryListener listener =
                new DeliveryListener() {
                    @Override
                    public void markedPending(
                            StreamPartition partition, PendingCheckpoint pending) {
                        events.add("marked " + partition.partition() + " " + pending.range());
                    }

                    @Override
                    public void sent(Batch<?> batch, SendOutcome outcome, boolean resent) {
                        events.add((resent ? "resent " : "sent ") + batch.range() + " " + outcome);
                    }

                    @Override
                    public void alreadyCommitted(Batch<?> batch) {
                        events.add("already committed " + batch.range());
                    }

                    @Override
                    public void committed(StreamPartition partition, long sequence) {
                        events.add("committed " + partition.partition() + " " + sequence);
                    }

                    @Override
                    public void storeWritten(long nanos) {
                        events.add("store write");
                    }
                };
        BatchDelivery<String, PartitionCheckpoint> listened =
                new BatchDelivery<>(store, destination, listener);
        listened.takeOver(A, c -> c);
        destination.failNextSend(Fault.AFTER_WRITE);
        assertThatThrownBy(() -> listened.deliver(List.of(batch(A, 0, 4))))
                .isInstanceOf(DeliveryException.class);
        listened.takeOver(A, c -> c);
        listened.deliver(List.of(batch(A, 0, 4), batch(A, 5, 9)));
        listened.deliver(List.of(batch(A, 5, 9)));

        assertThat(events)
                .containsExactly(
                        "store write", // acquire
                        "store write",
                        "marked a " + SequenceRange.of(0, 4),
                        // the failed send is not reported; the retry is a re-send
                        "store write", // acquire again
                        "resent " + SequenceRange.of(0, 4) + " REPEAT_DROPPED",
                        "store write",
                        "committed a 4",
                        "marked a " + SequenceRange.of(5, 9),
                        "sent " + SequenceRange.of(5, 9) + " APPLIED",
                        "already committed " + SequenceRange.of(5, 9),
                        "store write",
                        "committed a 9");
    }

    @Test
    void eachDeliveryIsOneWriteThatAlsoCommitsTheDeliveryBefore() {
        delivery.takeOver(A, c -> c);
        delivery.takeOver(B, c -> c);
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
        delivery.takeOver(A, c -> c);
        delivery.deliver(List.of(batch(A, 0, 4))); // its commit deferred, then the owner stops

        BatchDelivery<String, PartitionCheckpoint> next = newDelivery();
        PartitionCheckpoint checkpoint = next.takeOver(A, c -> c);
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
        delivery.takeOver(A, c -> c);
        delivery.deliver(List.of(batch(A, 0, 4)));
        newDelivery().takeOver(A, c -> c);
        assertThatThrownBy(() -> delivery.deliver(List.of(batch(A, 5, 6))))
                .isInstanceOf(FencedException.class);
        assertThat(destination.sends()).hasSize(1);
        assertThat(store.load(A).pending().range()).isEqualTo(SequenceRange.of(0, 4));
    }

    @Test
    void takingAPartitionOverAgainDropsItsDeferredCommit() {
        delivery.takeOver(A, c -> c);
        delivery.takeOver(B, c -> c);
        delivery.deliver(List.of(batch(A, 0, 4), batch(B, 0, 0)));
        PartitionCheckpoint again = delivery.takeOver(A, c -> c);
        assertThat(again.pending().range()).isEqualTo(SequenceRange.of(0, 4));
        delivery.deliver(List.of(batch(A, 0, 4)));
        delivery.commitDelivered();
        assertThat(store.load(A)).isEqualTo(new PartitionCheckpoint(2, 4, null));
        assertThat(store.load(B)).isEqualTo(new PartitionCheckpoint(1, 0, null));
    }

    @Test
    void aFailedDeliveryReleasesEveryPartition() {
        delivery.takeOver(A, c -> c);
        delivery.takeOver(B, c -> c);
        delivery.deliver(List.of(batch(A, 0, 0), batch(B, 0, 0)));
        destination.failNextSend(RecordingDestination.Fault.BEFORE_WRITE);
        // The write commits A and B and marks their next batches; then the first send fails.
        assertThatThrownBy(() -> delivery.deliver(List.of(batch(A, 1, 1), batch(B, 1, 1))))
                .isInstanceOf(DeliveryException.class);
        assertThat(delivery.owns(A)).isFalse();
        assertThat(delivery.owns(B)).isFalse();
        assertThat(delivery.takeOver(A, c -> c).pending().range())
                .isEqualTo(SequenceRange.of(1, 1));
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
