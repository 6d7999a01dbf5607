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
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import io.idempotent.flink.testutils.CountingCheckpointStore;
import io.idempotent.flink.testutils.RecordingDestination;
import io.idempotent.flink.testutils.RecordingDestination.Fault;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BatchDeliveryTest {

    private static final StreamPartition A = new StreamPartition("s", "a");
    private static final StreamPartition B = new StreamPartition("s", "b");

    private final CountingCheckpointStore store = new CountingCheckpointStore();
    private final RecordingDestination<String> destination = new RecordingDestination<>();
    private final BatchDelivery<String> delivery = new BatchDelivery<>(store, destination);

    private static Batch<String> batch(StreamPartition partition, long from, long to) {
        return Batch.of(
                partition, SequenceRange.of(from, to), List.of(partition.partition() + from));
    }

    @Test
    void marksSendsAndCommitsWithOneWritePerRoundPlusOne() {
        Map<StreamPartition, Long> epochs = Map.of(A, store.acquire(A), B, store.acquire(B));
        DeliveryReport report =
                delivery.deliver(
                        List.of(batch(A, 0, 4), batch(B, 0, 1), batch(A, 5, 9)), epochs::get);

        assertThat(report.batchesSent()).isEqualTo(3);
        assertThat(report.storeWrites()).isEqualTo(3);
        // Round 1 marks A and B; round 2 commits them and marks A's second batch; then its commit.
        assertThat(store.writes).hasSize(3);
        assertThat(store.writes.get(0)).hasSize(2);
        assertThat(store.writes.get(1)).hasSize(3);
        assertThat(store.writes.get(2)).hasSize(1);
        assertThat(store.load(A)).isEqualTo(new PartitionCheckpoint(epochs.get(A), 9, null));
        assertThat(store.load(B)).isEqualTo(new PartitionCheckpoint(epochs.get(B), 1, null));
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
        long epoch = store.acquire(A);
        destination.failNextSend(Fault.AFTER_WRITE);
        assertThatThrownBy(() -> delivery.deliver(List.of(batch(A, 0, 4)), p -> epoch))
                .isInstanceOf(DeliveryException.class)
                .hasMessageContaining("s/a")
                .hasMessageContaining("[0, 4]")
                .hasMessageContaining("stays pending");
        assertThat(store.load(A).pending().range()).isEqualTo(SequenceRange.of(0, 4));

        long next = store.acquire(A);
        DeliveryReport report = delivery.deliver(List.of(batch(A, 0, 4)), p -> next);
        assertThat(report.replayed()).isEqualTo(1);
        assertThat(report.repeatsDropped()).isEqualTo(1);
        assertThat(destination.sends())
                .extracting(RecordingDestination.Send::outcome)
                .containsExactly(SendOutcome.APPLIED, SendOutcome.REPEAT_DROPPED);
        assertThat(store.load(A).committed()).isEqualTo(4);
    }

    @Test
    void checkpointsTheCallerLoadedAreNotReadAgain() {
        long epoch = store.acquire(A);
        Map<StreamPartition, PartitionCheckpoint> loaded = Map.of(A, store.load(A));
        int loadsBefore = store.loads;
        delivery.deliver(List.of(batch(A, 0, 4), batch(A, 5, 9)), p -> epoch, loaded);
        assertThat(store.loads).isEqualTo(loadsBefore);
        assertThat(store.load(A).committed()).isEqualTo(9);
    }

    @Test
    void aCommittedBatchIsAcknowledgedWithoutASend() {
        long epoch = store.acquire(A);
        delivery.deliver(List.of(batch(A, 0, 4)), p -> epoch);
        DeliveryReport again = delivery.deliver(List.of(batch(A, 0, 4)), p -> epoch);
        assertThat(again.alreadyCommitted()).isEqualTo(1);
        assertThat(again.batchesSent()).isZero();
        assertThat(destination.sends()).hasSize(1);
    }

    /** Proves design.md row P7. */
    @Test
    void aZombieIsFencedBeforeItSendsAnything() {
        long old = store.acquire(A);
        store.acquire(A);
        assertThatThrownBy(() -> delivery.deliver(List.of(batch(A, 0, 4)), p -> old))
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
        assertThatThrownBy(() -> delivery.deliver(List.of(batch(A, 0, 6)), p -> epoch))
                .isInstanceOf(CheckpointConflictException.class)
                .hasMessageContaining("must be replayed first");
        assertThat(destination.sends()).isEmpty();
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
        BatchDelivery<String> listened = new BatchDelivery<>(store, destination, listener);
        long epoch = store.acquire(A);
        destination.failNextSend(Fault.AFTER_WRITE);
        assertThatThrownBy(() -> listened.deliver(List.of(batch(A, 0, 4)), p -> epoch))
                .isInstanceOf(DeliveryException.class);
        listened.deliver(List.of(batch(A, 0, 4), batch(A, 5, 9)), p -> epoch);
        listened.deliver(List.of(batch(A, 5, 9)), p -> epoch);

        assertThat(events)
                .containsExactly(
                        "store write",
                        "marked a " + SequenceRange.of(0, 4),
                        // the failed send is not reported; the retry is a re-send
                        "resent " + SequenceRange.of(0, 4) + " REPEAT_DROPPED",
                        "store write",
                        "committed a 4",
                        "marked a " + SequenceRange.of(5, 9),
                        "sent " + SequenceRange.of(5, 9) + " APPLIED",
                        "store write",
                        "committed a 9",
                        "already committed " + SequenceRange.of(5, 9));
    }
}
