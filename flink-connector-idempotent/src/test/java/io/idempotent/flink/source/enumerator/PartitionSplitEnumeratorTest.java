package io.idempotent.flink.source.enumerator;

import static org.assertj.core.api.Assertions.assertThat;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.checkpoint.InMemoryCheckpointStore;
import io.idempotent.flink.checkpoint.PendingCheckpoint;
import io.idempotent.flink.fakes.TestStream;
import io.idempotent.flink.source.SourceSettings;
import io.idempotent.flink.source.StartingPosition;
import io.idempotent.flink.source.reader.ReaderSettings;
import io.idempotent.flink.source.split.PartitionSplit;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.connector.testutils.source.reader.TestingSplitEnumeratorContext;
import org.junit.jupiter.api.Test;

class PartitionSplitEnumeratorTest {

    private final TestStream stream = new TestStream("orders");
    private final InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    private TestingSplitEnumeratorContext<PartitionSplit> context =
            new TestingSplitEnumeratorContext<>(2);

    PartitionSplitEnumeratorTest() {
        for (int p = 0; p < 4; p++) {
            for (int i = 0; i < 20; i++) {
                stream.append(Integer.toString(p), 1);
            }
        }
    }

    private PartitionSplitEnumerator enumerator(
            StartingPosition position, boolean bounded, EnumeratorState restored) {
        return new PartitionSplitEnumerator(
                context,
                () -> stream,
                () -> store,
                new SourceSettings(
                        position,
                        bounded ? Boundedness.BOUNDED : Boundedness.CONTINUOUS_UNBOUNDED,
                        bounded ? Duration.ZERO : Duration.ofSeconds(1),
                        new ReaderSettings(100, Duration.ofMillis(50), 0, false)),
                restored);
    }

    /** Starts {@code enumerator} with readers 0 and 1 registered and runs its discovery. */
    private void startWithTwoReaders(PartitionSplitEnumerator enumerator) {
        context.registerReader(0, "localhost");
        context.registerReader(1, "localhost");
        enumerator.start();
        enumerator.addReader(0);
        enumerator.addReader(1);
        context.triggerAllActions();
    }

    private List<PartitionSplit> assignedTo(int reader) {
        return context.getSplitAssignments().get(reader).getAssignedSplits();
    }

    @Test
    void spreadsSplitsOverReadersAndStartsThemFromTheCheckpointStore() {
        StreamPartition two = new StreamPartition("orders", "2");
        long epoch = store.acquire(two);
        store.markPending(
                two,
                epoch,
                new PendingCheckpoint(
                        SequenceRange.of(0, 9), BatchId.of(two, SequenceRange.of(0, 9)), null));
        store.commit(two, epoch, SequenceRange.of(0, 9));
        PendingCheckpoint pending =
                new PendingCheckpoint(
                        SequenceRange.of(10, 14), BatchId.of(two, SequenceRange.of(10, 14)), null);
        store.markPending(two, epoch, pending);

        PartitionSplitEnumerator enumerator =
                enumerator(StartingPosition.CHECKPOINT_STORE, true, null);
        startWithTwoReaders(enumerator);

        assertThat(assignedTo(0))
                .extracting(s -> s.partition().partition())
                .containsExactlyInAnyOrder("0", "2");
        assertThat(assignedTo(1))
                .extracting(s -> s.partition().partition())
                .containsExactlyInAnyOrder("1", "3");
        assertThat(assignedTo(0))
                .contains(new PartitionSplit(two, 10, 20, pending))
                .contains(new PartitionSplit(new StreamPartition("orders", "0"), 0, 20, null));
        assertThat(context.getSplitAssignments().get(0).hasReceivedNoMoreSplitsSignal()).isTrue();
        assertThat(context.getSplitAssignments().get(1).hasReceivedNoMoreSplitsSignal()).isTrue();
    }

    @Test
    void splitsOfAFailedReaderWaitForItAndPartitionsAreNotStartedTwice() throws Exception {
        PartitionSplitEnumerator enumerator = enumerator(StartingPosition.LATEST, false, null);
        context.registerReader(1, "localhost");
        enumerator.start();
        enumerator.addReader(1);
        context.triggerAllActions();
        assertThat(assignedTo(1)).hasSize(2).allMatch(s -> s.nextSequence() == 20);

        // Reader 0 is not there yet: its splits wait in the checkpointed state.
        EnumeratorState state = enumerator.snapshotState(1);
        assertThat(state.discovered()).containsExactlyInAnyOrder("0", "1", "2", "3");
        assertThat(state.unassigned()).hasSize(2);

        // After a failover: a new coordinator context, the state, and reader 1's splits back.
        List<PartitionSplit> ofReader1 = assignedTo(1);
        enumerator.close();
        context = new TestingSplitEnumeratorContext<>(2);
        PartitionSplitEnumerator restored = enumerator(StartingPosition.LATEST, false, state);
        restored.addSplitsBack(ofReader1, 1);
        context.registerReader(0, "localhost");
        restored.addReader(0);
        restored.start();
        context.triggerAllActions();
        assertThat(assignedTo(0)).hasSize(2);
        assertThat(restored.snapshotState(2).unassigned()).hasSize(2); // reader 1 is gone
        context.registerReader(1, "localhost");
        restored.addReader(1);
        assertThat(restored.snapshotState(3).unassigned()).isEmpty();
        assertThat(assignedTo(1)).containsExactlyInAnyOrderElementsOf(ofReader1);
    }

    @Test
    void discoversPartitionsAddedLater() {
        PartitionSplitEnumerator enumerator = enumerator(StartingPosition.EARLIEST, false, null);
        startWithTwoReaders(enumerator);
        stream.append("4", 1);
        context.getExecutorService().triggerPeriodicScheduledTasks();
        context.triggerAllActions();
        assertThat(assignedTo(0))
                .extracting(s -> s.partition().partition())
                .containsExactlyInAnyOrder("0", "2", "4");
    }

    /**
     * Proves design.md row F15: LATEST applies to the partitions there when the job starts; one
     * that appears later is read from its first record, also after a restore.
     */
    @Test
    void partitionsDiscoveredWhileRunningStartAtTheirBeginning() {
        PartitionSplitEnumerator enumerator = enumerator(StartingPosition.LATEST, false, null);
        startWithTwoReaders(enumerator);
        assertThat(assignedTo(0)).allMatch(s -> s.nextSequence() == 20);

        for (int i = 0; i < 5; i++) {
            stream.append("4", 1);
        }
        context.getExecutorService().triggerPeriodicScheduledTasks();
        context.triggerAllActions();
        assertThat(assignedTo(0))
                .filteredOn(s -> s.partition().partition().equals("4"))
                .singleElement()
                .matches(s -> s.nextSequence() == 0, "starts at 0");

        EnumeratorState state = enumerator.snapshotState(1);
        enumerator.close();
        for (int i = 0; i < 3; i++) {
            stream.append("5", 1);
        }
        context = new TestingSplitEnumeratorContext<>(2);
        PartitionSplitEnumerator restored = enumerator(StartingPosition.LATEST, false, state);
        context.registerReader(1, "localhost");
        restored.addReader(1);
        restored.start();
        context.triggerAllActions();
        assertThat(assignedTo(1))
                .filteredOn(s -> s.partition().partition().equals("5"))
                .singleElement()
                .matches(s -> s.nextSequence() == 0, "starts at 0 after a restore");
    }

    @Test
    void ownersAreRoundRobinForNumbersAndStableOtherwise() {
        assertThat(PartitionSplitEnumerator.ownerOf("7", 3)).isEqualTo(1);
        assertThat(PartitionSplitEnumerator.ownerOf("eu-west", 3))
                .isEqualTo(PartitionSplitEnumerator.ownerOf("eu-west", 3))
                .isBetween(0, 2);
    }
}
