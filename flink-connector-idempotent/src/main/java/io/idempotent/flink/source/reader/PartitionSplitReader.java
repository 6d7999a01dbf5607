package io.idempotent.flink.source.reader;

import io.idempotent.flink.checkpoint.CheckpointStoreFactory;
import io.idempotent.flink.checkpoint.PartitionCheckpoint;
import io.idempotent.flink.checkpoint.PartitionCheckpointStore;
import io.idempotent.flink.checkpoint.PendingCheckpoint;
import io.idempotent.flink.source.split.PartitionSplit;
import io.idempotent.flink.stream.PartitionRecord;
import io.idempotent.flink.stream.PartitionedStream;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamException;
import io.idempotent.flink.stream.StreamPartition;
import java.io.IOException;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.connector.base.source.reader.RecordsBySplits;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsChange;
import org.apache.flink.util.IOUtils;

/**
 * Reads the assigned partitions in the fetcher thread, forward in chunks of at most {@code
 * maxChunk} records. A partition with a pending range (the checkpoint store's, looked up when the
 * split is assigned, or the split's own) replays it exactly, as one chunk, when reading reaches it;
 * a pending range that lies before the split's position (its batch was sent after the checkpoint
 * the job restored) is replayed first, and reading goes on from the position.
 */
@Internal
final class PartitionSplitReader implements SplitReader<Chunk, PartitionSplit> {

    /** {@link #recordsPerRound}, unless one partition's chunk is larger. */
    static final int RECORDS_PER_ROUND = 10_000;

    private final PartitionedStream stream;
    @Nullable private final CheckpointStoreFactory stores;
    @Nullable private PartitionCheckpointStore store;
    private final int maxChunk;

    /**
     * Records one round reads forward in all: a reader of thousands of partitions hands its records
     * on in rounds of this size, not in one round over every partition (which would read them all
     * before the first record goes on).
     */
    private final int recordsPerRound;

    /** Where the next round starts among the partitions that read forward. */
    private int nextFirst;

    private final long lagRefreshNanos;

    /** When the ends of the partitions were last looked up, for their lags. */
    private long endsLookedUpAt;

    /** Where the next lag refresh starts among the partitions being read. */
    private int nextLagLookup;

    private final long idleWaitMillis;
    private final SourceReaderMetrics metrics;

    /** By partition name: a reader's splits are all of one stream. */
    private final Map<String, Position> positions = new HashMap<>();

    /**
     * The positions that read forward, in the order they were assigned; each knows its index here
     * ({@link Position#slot}). A position leaves when it finishes. A round walks only the part of
     * it that it reads: a reader of thousands of partitions whose rounds reach a few dozen of them
     * pays for those, not for all.
     */
    private final List<Position> reading = new ArrayList<>();

    /** Positions with a pending range: the only ones a round looks at for a due replay. */
    private final List<Position> withPending = new ArrayList<>();

    /** Positions of {@link #reading} not read forward yet, in the order they were assigned. */
    private final List<Position> unseen = new ArrayList<>();

    /**
     * Positions finished when assigned (a bounded split restored at its stop): the next round says
     * so.
     */
    private final List<Position> finishedWhenAssigned = new ArrayList<>();

    /** Calls of {@link #fetch} so far: marks the positions a round replayed. */
    private long fetches;

    private final Object idle = new Object();
    private boolean wokenUp;

    PartitionSplitReader(
            PartitionedStream stream,
            @Nullable CheckpointStoreFactory stores,
            int maxChunk,
            Duration idleWait,
            SourceReaderMetrics metrics) {
        this(
                stream,
                stores,
                maxChunk,
                idleWait,
                metrics,
                Duration.ofMillis(SourceReaderMetrics.LAG_REFRESH_MILLIS));
    }

    PartitionSplitReader(
            PartitionedStream stream,
            @Nullable CheckpointStoreFactory stores,
            int maxChunk,
            Duration idleWait,
            SourceReaderMetrics metrics,
            Duration lagRefresh) {
        this.lagRefreshNanos = lagRefresh.toNanos();
        this.endsLookedUpAt = System.nanoTime() - lagRefreshNanos - 1;
        this.stream = stream;
        this.stores = stores;
        this.maxChunk = maxChunk;
        this.recordsPerRound = Math.max(maxChunk, RECORDS_PER_ROUND);
        this.idleWaitMillis = idleWait.toMillis();
        this.metrics = metrics;
    }

    /**
     * One round over the assigned partitions: every due replay is read alone, exactly; the other
     * partitions read forward with one {@link PartitionedStream#readFromAll} (a Kafka consumer
     * polls them together), so a round costs a few requests, not one per partition, and takes at
     * most {@link #recordsPerRound} records: the next round goes on from the partition after the
     * last one this round reached. Partitions this reader has not read yet come first, all in one
     * round, a share of it each: a sink takes a partition over when its first record arrives, and
     * takes all that arrived together over in one store write.
     */
    @Override
    public RecordsWithSplitIds<Chunk> fetch() throws IOException {
        fetches++;
        Map<String, Collection<Chunk>> chunks = new HashMap<>();
        List<Position> touched = new ArrayList<>(finishedWhenAssigned);
        finishedWhenAssigned.clear();
        int replayedReading = replayDue(chunks, touched);
        List<Position> fresh = new ArrayList<>();
        for (Position position : unseen) {
            if (position.replayedIn != fetches) {
                fresh.add(position);
            }
        }
        if (!fresh.isEmpty()) {
            // Partitions new to this reader first, a share of the round each: all of them
            // reach the sink together, which takes them over in one store write.
            int share = Math.max(1, Math.min(maxChunk, recordsPerRound / fresh.size()));
            int reached = readRound(new Listed(fresh), share, chunks, touched);
            for (Position position : fresh.subList(0, reached == 0 ? fresh.size() : reached)) {
                position.seen = true;
            }
            unseen.removeIf(position -> position.seen);
        } else if (reading.size() > replayedReading) {
            // From where the last round stopped: every partition gets its turn.
            int start = nextFirst % reading.size();
            Rotated round = new Rotated(start, reading.size() - replayedReading);
            nextFirst = start + readRound(round, maxChunk, chunks, touched);
        }
        Set<String> finished = finish(touched);
        if (chunks.isEmpty() && finished.isEmpty()) {
            waitForRecords();
        }
        return new RecordsBySplits<>(chunks, finished);
    }

    /**
     * Replays every due pending range, each alone and whole, into {@code chunks}; returns how many
     * of the replayed positions read forward ({@link #reading}): this round leaves them out.
     */
    private int replayDue(Map<String, Collection<Chunk>> chunks, List<Position> touched)
            throws IOException {
        int replayedReading = 0;
        for (Iterator<Position> iterator = withPending.iterator(); iterator.hasNext(); ) {
            Position position = iterator.next();
            if (position.pending == null) {
                iterator.remove(); // replayed when reading forward reached its range
            } else if (position.replayIsDue()) {
                boolean wasReading = position.slot >= 0;
                chunks.put(position.split.splitId(), List.of(replay(position)));
                position.replayedIn = fetches;
                touched.add(position);
                iterator.remove();
                if (wasReading) {
                    replayedReading++;
                }
            }
        }
        return replayedReading;
    }

    /**
     * The splits of the {@code touched} positions that are done (finished, nothing pending), no
     * longer the reader's; a finished position stops reading forward.
     */
    private Set<String> finish(List<Position> touched) {
        Set<String> finished = new HashSet<>();
        boolean stopReading = false;
        for (Position position : touched) {
            stopReading |= position.finished && position.slot >= 0;
            if (position.isFinished() && positions.remove(position.partition(), position)) {
                finished.add(position.split.splitId());
            }
        }
        if (stopReading) {
            reading.removeIf(position -> position.finished);
            unseen.removeIf(position -> position.finished);
            renumber();
        }
        return finished;
    }

    /** Gives the positions of {@link #reading} their indexes; the others none. */
    private void renumber() {
        for (Position position : positions.values()) {
            position.slot = -1;
        }
        for (int i = 0; i < reading.size(); i++) {
            reading.get(i).slot = i;
        }
    }

    /**
     * Reads {@code round} forward with one {@link PartitionedStream#readFromAll}, at most {@code
     * perPartition} records each and about {@link #recordsPerRound} in all, into {@code chunks};
     * returns how far into the round it got (up to the last partition that answered). The stream
     * gets a view of the positions, not a copy, and only the partitions that answered are looked at
     * (and added to {@code touched}): a round that reaches a few dozen of thousands of partitions
     * costs about what it reads.
     */
    private int readRound(
            Round round,
            int perPartition,
            Map<String, Collection<Chunk>> chunks,
            List<Position> touched)
            throws IOException {
        Map<String, List<PartitionRecord>> read =
                stream.readFromAll(new RoundPositions(round), perPartition, recordsPerRound);
        List<Position> exhausted = new ArrayList<>();
        List<Position> looked = new ArrayList<>(read.size());
        int reached = 0;
        for (Map.Entry<String, List<PartitionRecord>> answer : read.entrySet()) {
            Position position = inRound(round, answer.getKey());
            if (position == null) {
                continue; // not asked: nothing of this reader's
            }
            reached = Math.max(reached, round.indexOf(position) + 1);
            looked.add(position);
            Chunk chunk = readForward(position, answer.getValue(), exhausted);
            if (chunk != null) {
                chunks.put(position.split.splitId(), List.of(chunk));
            }
        }
        finishExhausted(exhausted);
        updateLags(looked);
        touched.addAll(looked);
        return reached;
    }

    /** The position of {@code partition} if {@code round} holds it, else {@code null}. */
    @Nullable
    private Position inRound(Round round, @Nullable Object partition) {
        Position position = positions.get(partition);
        return position != null && round.indexOf(position) >= 0 ? position : null;
    }

    /** The positions one round reads, in its order. */
    private interface Round extends Iterable<Position> {
        int size();

        /** How far into the round {@code position} is, or -1 if the round does not hold it. */
        int indexOf(Position position);
    }

    /** A round of the positions of a list, in its order. */
    private static final class Listed implements Round {
        private final List<Position> order;

        Listed(List<Position> order) {
            this.order = order;
            for (int i = 0; i < order.size(); i++) {
                order.get(i).indexInRound = i;
            }
        }

        @Override
        public int size() {
            return order.size();
        }

        @Override
        public int indexOf(Position position) {
            int index = position.indexInRound;
            return index >= 0 && index < order.size() && order.get(index) == position ? index : -1;
        }

        @Override
        public Iterator<Position> iterator() {
            return order.iterator();
        }
    }

    /**
     * A round of {@link #reading} from {@code start} on, round the end to the start again, without
     * the positions replayed in this fetch: a view, walked only as far as the stream reads.
     */
    private final class Rotated implements Round {
        private final int start;
        private final int size;

        Rotated(int start, int size) {
            this.start = start;
            this.size = size;
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public int indexOf(Position position) {
            int slot = position.slot;
            if (slot < 0 || position.replayedIn == fetches) {
                return -1;
            }
            return Math.floorMod(slot - start, reading.size());
        }

        @Override
        public Iterator<Position> iterator() {
            return new Iterator<>() {
                private int walked;
                @Nullable private Position next = advance();

                @Nullable
                private Position advance() {
                    while (walked < reading.size()) {
                        Position position = reading.get((start + walked++) % reading.size());
                        if (position.replayedIn != fetches) {
                            return position;
                        }
                    }
                    return null;
                }

                @Override
                public boolean hasNext() {
                    return next != null;
                }

                @Override
                public Position next() {
                    if (next == null) {
                        throw new NoSuchElementException();
                    }
                    Position current = next;
                    next = advance();
                    return current;
                }
            };
        }
    }

    /**
     * The positions of a round, in its order, as the map {@link PartitionedStream#readFromAll}
     * takes (partition to next sequence number): a view, so a stream that reads the first few
     * partitions only never makes the others' entries.
     */
    private final class RoundPositions extends AbstractMap<String, Long> {
        private final Round round;

        RoundPositions(Round round) {
            this.round = round;
        }

        @Override
        public int size() {
            return round.size();
        }

        @Override
        public boolean containsKey(Object partition) {
            return inRound(round, partition) != null;
        }

        @Override
        public Long get(Object partition) {
            Position position = inRound(round, partition);
            return position == null ? null : position.next;
        }

        @Override
        public Set<Map.Entry<String, Long>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public int size() {
                    return round.size();
                }

                @Override
                public Iterator<Map.Entry<String, Long>> iterator() {
                    Iterator<Position> positions = round.iterator();
                    return new Iterator<>() {
                        @Override
                        public boolean hasNext() {
                            return positions.hasNext();
                        }

                        @Override
                        public Map.Entry<String, Long> next() {
                            Position position = positions.next();
                            return new SimpleImmutableEntry<>(position.partition(), position.next);
                        }
                    };
                }
            };
        }
    }

    private Chunk replay(Position position) throws IOException {
        PendingCheckpoint pending = position.pending;
        SequenceRange range = pending.range();
        List<PartitionRecord> records;
        try {
            records = stream.readRange(position.split.partition().partition(), range);
        } catch (StreamException e) {
            throw new IOException("Cannot replay " + pending + ": " + e.getMessage(), e);
        }
        if (records.isEmpty()
                || records.get(0).sequence() != range.from()
                || records.get(records.size() - 1).sequence() != range.to()) {
            throw new IOException(
                    String.format(
                            "Partition %s: the pending batch %s cannot be re-read exactly; the"
                                    + " stream returned %d records. The stream lost records of a"
                                    + " range that was never confirmed delivered (retention too"
                                    + " short?). Check the destination for %s and resolve the"
                                    + " pending checkpoint by hand.",
                            position.split.partition(),
                            pending,
                            records.size(),
                            pending.batchId()));
        }
        position.next = Math.max(position.next, range.to() + 1);
        position.pending = null;
        position.finished |= position.next >= position.split.stopSequence();
        position.metrics.replayed();
        return new Chunk(records, pending);
    }

    /**
     * The chunk of {@code read} (the stream's answer from the position on; empty: nothing there
     * now) that lies before the stop and before a pending range; the replay when nothing lies
     * before the pending range. A bounded position that read nothing goes to {@code exhausted}.
     */
    @Nullable
    private Chunk readForward(
            Position position, List<PartitionRecord> read, List<Position> exhausted)
            throws IOException {
        long stop = position.split.stopSequence();
        long limit = position.pending == null ? stop : position.pending.range().from();
        List<PartitionRecord> records = new ArrayList<>(read.size());
        for (PartitionRecord record : read) {
            if (record.sequence() < limit) {
                records.add(record);
            }
        }
        if (records.isEmpty() && position.pending != null) {
            // Nothing left before the pending range: replay it now.
            return replay(position);
        }
        if (records.isEmpty()) {
            position.caughtUp = true;
            if (position.split.isBounded()) {
                if (read.isEmpty()) {
                    exhausted.add(position);
                } else {
                    position.finished = true; // what is there lies beyond the stop
                }
            }
            return null;
        }
        position.caughtUp = false;
        position.next = records.get(records.size() - 1).sequence() + 1;
        position.finished = position.next >= stop;
        return new Chunk(records, null);
    }

    /**
     * Bounded positions with nothing left from where they are: done if the partition reaches the
     * stop (the last records before it were gaps), looked up for all of them at once.
     */
    private void finishExhausted(List<Position> exhausted) {
        if (exhausted.isEmpty()) {
            return;
        }
        Map<String, Long> ends = stream.endSequences(partitionsOf(exhausted));
        for (Position position : exhausted) {
            position.finished = ends.get(position.partition()) >= position.split.stopSequence();
        }
    }

    /**
     * Lag against the partitions' ends, looked up in one request at most once per refresh interval
     * (a Kafka end offset is a request), for at most {@link
     * SourceReaderMetrics#LAG_LOOKUPS_PER_REFRESH} partitions that read forward, the next ones in
     * turn each time: between lookups, a partition read past the end last looked up shows no lag.
     */
    private void updateLags(List<Position> looked) {
        long now = System.nanoTime();
        if (now - endsLookedUpAt > lagRefreshNanos) {
            List<Position> turn = reading;
            int most = SourceReaderMetrics.LAG_LOOKUPS_PER_REFRESH;
            if (reading.size() > most) {
                turn = new ArrayList<>(most);
                int start = nextLagLookup % reading.size();
                for (int i = 0; i < most; i++) {
                    turn.add(reading.get((start + i) % reading.size()));
                }
                nextLagLookup = start + most;
            }
            if (!turn.isEmpty()) {
                Map<String, Long> ends = stream.endSequences(partitionsOf(turn));
                for (Position position : turn) {
                    position.end = ends.get(position.partition());
                }
            }
            endsLookedUpAt = now;
        }
        for (Position position : looked) {
            position.metrics.lag(position.caughtUp ? 0 : Math.max(0, position.end - position.next));
        }
    }

    private static List<String> partitionsOf(List<Position> positions) {
        List<String> partitions = new ArrayList<>(positions.size());
        for (Position position : positions) {
            partitions.add(position.partition());
        }
        return partitions;
    }

    private void waitForRecords() throws IOException {
        synchronized (idle) {
            if (!wokenUp) {
                try {
                    idle.wait(idleWaitMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("Interrupted while waiting for records", e);
                }
            }
            wokenUp = false;
        }
    }

    @Override
    public void handleSplitsChanges(SplitsChange<PartitionSplit> change) {
        if (!(change instanceof SplitsAddition)) {
            throw new UnsupportedOperationException(
                    "Unsupported split change " + change.getClass().getSimpleName());
        }
        List<PartitionSplit> splits = change.splits();
        Map<StreamPartition, PartitionCheckpoint> checkpoints = checkpointsOf(splits);
        List<String> toCheck = new ArrayList<>();
        for (PartitionSplit split : splits) {
            requireSameStream(split);
            if (split.nextSequence() != 0
                    || checkpoints.get(split.partition()).committed()
                            != PartitionCheckpoint.NOTHING_COMMITTED) {
                toCheck.add(split.partition().partition());
            }
        }
        // Nothing read or committed yet: nothing can lie beyond the end (no request).
        Map<String, Long> ends = toCheck.isEmpty() ? Map.of() : stream.endSequences(toCheck);
        for (PartitionSplit split : splits) {
            PartitionCheckpoint checkpoint = checkpoints.get(split.partition());
            Long end = ends.get(split.partition().partition());
            if (end != null) {
                requireWithinStream(split, checkpoint, end);
            }
            PendingCheckpoint pending = stores == null ? split.pending() : checkpoint.pending();
            if (pending != null && pending.range().from() >= split.stopSequence()) {
                pending = null; // beyond a bounded read: not this job's to replay
            }
            add(new Position(split, pending, metrics.of(split.partition())));
        }
    }

    private void add(Position position) {
        position.metrics.pendingRange(position.pending != null);
        Position replaced = positions.put(position.partition(), position);
        if (replaced != null) {
            reading.remove(replaced);
            unseen.remove(replaced);
            withPending.remove(replaced);
            finishedWhenAssigned.remove(replaced);
            renumber();
        }
        if (position.pending != null) {
            withPending.add(position);
        }
        if (position.next >= position.split.stopSequence()) {
            position.finished = true;
            finishedWhenAssigned.add(position);
        } else {
            position.slot = reading.size();
            reading.add(position);
            unseen.add(position);
        }
    }

    /**
     * The sink's checkpoints of the splits' partitions, in one store read (their pending ranges are
     * the ones to replay: they may have changed since the splits were snapshotted); {@code INITIAL}
     * without a store.
     */
    private Map<StreamPartition, PartitionCheckpoint> checkpointsOf(List<PartitionSplit> splits) {
        List<StreamPartition> partitions = new ArrayList<>(splits.size());
        for (PartitionSplit split : splits) {
            partitions.add(split.partition());
        }
        if (stores == null) {
            Map<StreamPartition, PartitionCheckpoint> none = new HashMap<>();
            partitions.forEach(p -> none.put(p, PartitionCheckpoint.INITIAL));
            return none;
        }
        if (store == null) {
            store = stores.open();
        }
        return store.loadAll(partitions);
    }

    /** The split must be of the stream as it is now, not of one deleted and created again. */
    private void requireSameStream(PartitionSplit split) {
        String current = stream.qualifiedName();
        String ofSplit = split.partition().stream();
        // A split from before streams had incarnations carries the plain name: nothing to compare.
        if (!ofSplit.equals(current) && !ofSplit.equals(stream.name())) {
            throw new StreamException(
                    String.format(
                            "Partition %s: the stream was deleted and created again under its name"
                                    + " since this job's state (a savepoint, a checkpoint) was"
                                    + " taken; it is %s now. Its sequence numbers start again, so"
                                    + " the saved positions and batch identities do not apply."
                                    + " Start the job without its Flink state: the new stream's"
                                    + " partitions then have checkpoints and identities of their"
                                    + " own.",
                            split.partition(), current));
        }
    }

    /**
     * Where reading starts, and what the sink committed, must lie within what the stream holds now.
     * Beyond its end the partition lost records or was created again (a Kafka topic deleted and
     * recreated, a log truncated by an unclean leader election, a local stream whose relaxed
     * appends a crash lost): new records would get numbers that were read or committed already and
     * be skipped, or reading would wait for ever at a position that never comes.
     */
    private static void requireWithinStream(
            PartitionSplit split, PartitionCheckpoint checkpoint, long end) {
        String problem = null;
        if (split.nextSequence() > end) {
            problem =
                    String.format(
                            "the job's position %d lies beyond the partition's end %d",
                            split.nextSequence(), end);
        } else if (checkpoint.committed() >= end) {
            problem =
                    String.format(
                            "the checkpoint store shows it committed up to %d, but the partition"
                                    + " ends at %d",
                            checkpoint.committed(), end);
        }
        if (problem != null) {
            throw new StreamException(
                    String.format(
                            "Partition %s: %s. The stream lost records or was created again"
                                    + " under the same name (a Kafka topic deleted and"
                                    + " recreated, a log truncated, a local stream's relaxed"
                                    + " appends lost in a crash), so new records would reuse"
                                    + " sequence numbers already read or delivered. Nothing is"
                                    + " skipped silently. As the numbers repeat, so would batch"
                                    + " identities, which the destination would drop as repeats:"
                                    + " to start afresh, give the sink a new name (new checkpoints"
                                    + " and identities) or a new destination, and start the job"
                                    + " without its Flink state. Resetting the checkpoint (the"
                                    + " command-line tool's reset) is only for records removed"
                                    + " without their numbers being reused.",
                            split.partition(), problem));
        }
    }

    @Override
    public void wakeUp() {
        synchronized (idle) {
            wokenUp = true;
            idle.notifyAll();
        }
    }

    @Override
    public void close() throws Exception {
        IOUtils.closeAll(Arrays.asList(stream, store));
    }

    private static final class Position {
        final PartitionSplit split;
        final SourceReaderMetrics.Partition metrics;
        long next;
        @Nullable PendingCheckpoint pending;
        boolean finished;

        /** The partition's end when last looked up, for the lag. */
        long end;

        /** Whether the last forward read found nothing from {@link #next} on. */
        boolean caughtUp;

        /** Whether this reader has read the partition forward (a round reached it) yet. */
        boolean seen;

        /** Where the partition is in the order of a listed round being read. */
        int indexInRound = -1;

        /** Its index in {@link #reading}, -1 when it does not read forward. */
        int slot = -1;

        /** The fetch that replayed its pending range, if any. */
        long replayedIn = -1;

        Position(
                PartitionSplit split,
                @Nullable PendingCheckpoint pending,
                SourceReaderMetrics.Partition metrics) {
            this.split = split;
            this.metrics = metrics;
            this.next = split.nextSequence();
            this.pending = pending;
        }

        String partition() {
            return split.partition().partition();
        }

        boolean replayIsDue() {
            return pending != null && next >= pending.range().from();
        }

        boolean isFinished() {
            return finished && pending == null;
        }
    }
}
