package io.idempotent.flink.source.reader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.checkpoint.InMemoryCheckpointStore;
import io.idempotent.flink.checkpoint.PendingCheckpoint;
import io.idempotent.flink.fakes.TestStream;
import io.idempotent.flink.source.split.PartitionSplit;
import io.idempotent.flink.stream.PartitionRecord;
import io.idempotent.flink.stream.PartitionedStream;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamException;
import io.idempotent.flink.stream.StreamPartition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
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

    /**
     * Proves design.md row F31: a reader of many partitions hands its records on in rounds of a
     * bounded size, taking turns, instead of reading every partition before the first record goes
     * on (at 10,000 partitions nothing was delivered until all were read).
     */
    @Test
    void aReaderOfManyPartitionsReadsInBoundedRoundsThatTakeTurns() throws Exception {
        int partitions = 300;
        int each = 100;
        PartitionSplitReader reader = reader();
        reader.handleSplitsChanges(new SplitsAddition<>(filledSplits(1, partitions, each)));
        Map<String, Long> nextExpected = new HashMap<>();
        long total = 0;
        int rounds = 0;
        while (total < (long) partitions * each && rounds < 100) {
            rounds++;
            RecordsWithSplitIds<Chunk> round = reader.fetch();
            long inRound = 0;
            for (String split = round.nextSplit(); split != null; split = round.nextSplit()) {
                for (Chunk chunk = round.nextRecordFromSplit();
                        chunk != null;
                        chunk = round.nextRecordFromSplit()) {
                    for (PartitionRecord record : chunk.records()) {
                        long expected = nextExpected.getOrDefault(record.partition(), 0L);
                        assertThat(record.sequence())
                                .as("partition %s in order, each record once", record.partition())
                                .isEqualTo(expected);
                        nextExpected.put(record.partition(), expected + 1);
                        inRound++;
                    }
                }
            }
            assertThat(inRound)
                    .as("a round's records")
                    .isLessThan(PartitionSplitReader.RECORDS_PER_ROUND + 100);
            total += inRound;
        }
        assertThat(total).isEqualTo((long) partitions * each);
        assertThat(rounds)
                .as("rounds of about %d records", PartitionSplitReader.RECORDS_PER_ROUND)
                .isBetween(3, 5);
        for (int p = 1; p <= partitions; p++) {
            assertThat(nextExpected.get(Integer.toString(p))).isEqualTo(each);
        }
    }

    /**
     * Proves design.md row F32: a reader reaches every partition newly assigned to it in its first
     * round, a share of the round each, so that the sink takes them all over in one store write
     * (with rounds that go on from where the last stopped, the 5,000 partitions of a subtask came
     * to the sink over some 50 rounds, and took some 50 acquisition writes).
     */
    @Test
    void aReaderReachesEveryNewPartitionInItsFirstRound() throws Exception {
        PartitionSplitReader reader = reader();
        reader.handleSplitsChanges(new SplitsAddition<>(filledSplits(1, 300, 100)));
        assertThat(splitsOf(reader.fetch())).as("partitions of the first round").hasSize(300);
        assertThat(splitsOf(reader.fetch()))
                .as("the second round goes on where a full round stops")
                .hasSizeLessThan(300);
        reader.handleSplitsChanges(new SplitsAddition<>(filledSplits(301, 500, 100)));
        assertThat(splitsOf(reader.fetch()))
                .as("the round after more partitions came: all of the new ones")
                .containsAll(filledSplitIds(301, 500));
    }

    /**
     * Proves design.md row F34 (the reader's side): a round gives the stream its positions as a
     * view, not a copy, and the view answers as a map does, in the round's order; an answer for a
     * partition the round did not ask is ignored, never taken for one of the reader's.
     */
    @Test
    void aRoundGivesTheStreamItsPositionsAsAMapAndTakesOnlyWhatItAsked() throws Exception {
        List<String> asked = new ArrayList<>();
        PartitionedStream checking =
                new DelegatingStream(stream) {
                    @Override
                    public Map<String, List<PartitionRecord>> readFromAll(
                            Map<String, Long> positions, int maxRecords, int maxInAll) {
                        int entries = 0;
                        for (Map.Entry<String, Long> position : positions.entrySet()) {
                            assertThat(positions.get(position.getKey()))
                                    .isEqualTo(position.getValue());
                            assertThat(positions.containsKey(position.getKey())).isTrue();
                            asked.add(position.getKey());
                            entries++;
                        }
                        assertThat(positions.size()).isEqualTo(entries);
                        assertThat(positions.containsKey("0")).as("not assigned").isFalse();
                        assertThat(positions.get("0")).isNull();
                        Map<String, List<PartitionRecord>> read =
                                new LinkedHashMap<>(
                                        super.readFromAll(positions, maxRecords, maxInAll));
                        read.put("0", stream.readFrom("0", 0, 1)); // not asked
                        return read;
                    }
                };
        PartitionSplitReader reader =
                new PartitionSplitReader(
                        checking,
                        () -> store,
                        100,
                        Duration.ofMillis(10),
                        new SourceReaderMetrics(
                                UnregisteredMetricsGroup.createSourceReaderMetricGroup(), true));
        reader.handleSplitsChanges(new SplitsAddition<>(filledSplits(1, 3, 2)));
        assertThat(splitsOf(reader.fetch()))
                .containsExactlyInAnyOrderElementsOf(filledSplitIds(1, 3));
        assertThat(asked).containsExactly("1", "2", "3");
        stream.append("2", 1);
        asked.clear();
        RecordsWithSplitIds<Chunk> round = reader.fetch();
        assertThat(round.nextSplit()).isEqualTo(filledSplitIds(2, 2).get(0));
        assertThat(round.nextRecordFromSplit().records())
                .extracting(PartitionRecord::sequence)
                .containsExactly(2L);
        assertThat(round.nextSplit()).isNull();
        assertThat(asked).hasSize(3);
    }

    /**
     * Proves design.md row F34 (the lag): a reader of thousands of partitions looks the ends of at
     * most {@link SourceReaderMetrics#LAG_LOOKUPS_PER_REFRESH} of them up per lag refresh, the next
     * ones in turn, so that every partition's lag is refreshed and the lookups cost the same
     * however many partitions it reads (all 5,000 of a reader every second took a fifth of the
     * fetcher's time on the local stream).
     */
    @Test
    void aReaderOfThousandsOfPartitionsLooksTheirEndsUpInTurns() throws Exception {
        List<List<String>> lookups = new ArrayList<>();
        PartitionedStream counting =
                new DelegatingStream(stream) {
                    @Override
                    public Map<String, Long> endSequences(Collection<String> partitions) {
                        lookups.add(new ArrayList<>(partitions));
                        return super.endSequences(partitions);
                    }
                };
        PartitionSplitReader reader =
                new PartitionSplitReader(
                        counting,
                        () -> store,
                        100,
                        Duration.ofMillis(1),
                        new SourceReaderMetrics(
                                UnregisteredMetricsGroup.createSourceReaderMetricGroup(), true),
                        Duration.ZERO);
        int partitions = 2_500;
        reader.handleSplitsChanges(new SplitsAddition<>(filledSplits(1, partitions, 1)));
        lookups.clear(); // the ends looked up when the splits came: once
        Set<String> lookedUp = new HashSet<>();
        for (int round = 0; round < 3; round++) {
            reader.fetch();
        }
        assertThat(lookups).hasSize(3);
        for (List<String> lookup : lookups) {
            assertThat(lookup).hasSize(SourceReaderMetrics.LAG_LOOKUPS_PER_REFRESH);
            lookedUp.addAll(lookup);
        }
        assertThat(lookedUp).as("every partition in turn").hasSize(partitions);
    }

    /** A stream that passes every call on to another. */
    private static class DelegatingStream implements PartitionedStream {
        private final PartitionedStream delegate;

        DelegatingStream(PartitionedStream delegate) {
            this.delegate = delegate;
        }

        @Override
        public String name() {
            return delegate.name();
        }

        @Override
        public String incarnation() {
            return delegate.incarnation();
        }

        @Override
        public List<String> partitions() {
            return delegate.partitions();
        }

        @Override
        public List<PartitionRecord> readFrom(String partition, long from, int maxRecords) {
            return delegate.readFrom(partition, from, maxRecords);
        }

        @Override
        public List<PartitionRecord> readRange(String partition, SequenceRange range) {
            return delegate.readRange(partition, range);
        }

        @Override
        public long endSequence(String partition) {
            return delegate.endSequence(partition);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    /** Splits of partitions {@code first} to {@code last}, each given {@code each} records. */
    private List<PartitionSplit> filledSplits(int first, int last, int each) {
        List<PartitionSplit> splits = new ArrayList<>();
        for (int p = first; p <= last; p++) {
            String name = Integer.toString(p);
            for (int i = 0; i < each; i++) {
                stream.append(name, 1);
            }
            splits.add(
                    new PartitionSplit(
                            new StreamPartition("s", name), 0, PartitionSplit.UNBOUNDED, null));
        }
        return splits;
    }

    private static List<String> filledSplitIds(int first, int last) {
        List<String> ids = new ArrayList<>();
        for (int p = first; p <= last; p++) {
            ids.add(
                    new PartitionSplit(
                                    new StreamPartition("s", Integer.toString(p)),
                                    0,
                                    PartitionSplit.UNBOUNDED,
                                    null)
                            .splitId());
        }
        return ids;
    }

    /** The splits a round holds records of. */
    private static List<String> splitsOf(RecordsWithSplitIds<Chunk> round) {
        List<String> splits = new ArrayList<>();
        for (String split = round.nextSplit(); split != null; split = round.nextSplit()) {
            if (round.nextRecordFromSplit() != null) {
                splits.add(split);
            }
        }
        return splits;
    }
}
