package io.idempotent.flink.source.reader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.checkpoint.InMemoryCheckpointStore;
import io.idempotent.flink.checkpoint.PendingCheckpoint;
import io.idempotent.flink.source.split.PartitionSplit;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamException;
import io.idempotent.flink.stream.StreamPartition;
import io.idempotent.flink.testutils.TestStream;
import java.time.Duration;
import java.util.List;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

/**
 * The source's split reader, on an in-memory stream and store: where a partition's reading starts
 * must lie within what the stream holds (design.md row F20).
 */
class PartitionSplitReaderTest {

    private static final StreamPartition P0 = new StreamPartition("s", "0");

    private final TestStream stream = new TestStream("s");
    private final InMemoryCheckpointStore store = new InMemoryCheckpointStore();

    PartitionSplitReaderTest() {
        for (int i = 0; i < 5; i++) {
            stream.append("0", 1); // sequences 0 to 4; the end is 5
        }
    }

    private PartitionSplitReader reader() {
        return new PartitionSplitReader(
                stream,
                () -> store,
                100,
                Duration.ofMillis(10),
                new SourceReaderMetrics(
                        UnregisteredMetricsGroup.createSourceReaderMetricGroup(), true));
    }

    private static SplitsAddition<PartitionSplit> split(long next) {
        return new SplitsAddition<>(
                List.of(new PartitionSplit(P0, next, PartitionSplit.UNBOUNDED, null)));
    }

    @Test
    void aPositionBeyondThePartitionsEndFailsLoudly() {
        assertThatThrownBy(() -> reader().handleSplitsChanges(split(9)))
                .isInstanceOf(StreamException.class)
                .hasMessageContaining("Partition s/0")
                .hasMessageContaining("position 9 lies beyond the partition's end 5");
    }

    @Test
    void aCommittedSequenceTheStreamNoLongerHoldsFailsLoudly() {
        long epoch = store.acquire(P0);
        SequenceRange range = SequenceRange.of(0, 7);
        store.markPending(P0, epoch, new PendingCheckpoint(range, BatchId.of(P0, range), null));
        store.commit(P0, epoch, range);
        assertThatThrownBy(() -> reader().handleSplitsChanges(split(0)))
                .isInstanceOf(StreamException.class)
                .hasMessageContaining("committed up to 7")
                .hasMessageContaining("reset");
    }

    /**
     * Proves design.md row F20: a split (from a savepoint or the store) of a stream that was
     * deleted and created again under its name since is refused, whatever the positions.
     */
    @Test
    void aSplitOfAnEarlierIncarnationOfTheStreamIsRefused() {
        stream.setIncarnation("new");
        StreamPartition old = new StreamPartition("s@old", "0");
        assertThatThrownBy(
                        () ->
                                reader().handleSplitsChanges(
                                                new SplitsAddition<>(
                                                        List.of(
                                                                new PartitionSplit(
                                                                        old,
                                                                        0,
                                                                        PartitionSplit.UNBOUNDED,
                                                                        null)))))
                .isInstanceOf(StreamException.class)
                .hasMessageContaining("Partition s@old/0")
                .hasMessageContaining("created again")
                .hasMessageContaining("s@new");
        // A split from before streams had incarnations (the plain name) is still read.
        reader().handleSplitsChanges(split(0));
    }

    @Test
    void positionsWithinTheStreamAreRead() throws Exception {
        PartitionSplitReader reader = reader();
        reader.handleSplitsChanges(split(5));
        reader.handleSplitsChanges(
                new SplitsAddition<>(
                        List.of(
                                new PartitionSplit(
                                        new StreamPartition("s", "1"),
                                        0,
                                        PartitionSplit.UNBOUNDED,
                                        null))));
        assertThat(reader.fetch().nextSplit()).isNull();
    }
}
