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
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
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

    private static final long LAG_REFRESH_NANOS =
            TimeUnit.MILLISECONDS.toNanos(SourceReaderMetrics.LAG_REFRESH_MILLIS);

    private final PartitionedStream stream;
    @Nullable private final CheckpointStoreFactory stores;
    @Nullable private PartitionCheckpointStore store;
    private final int maxChunk;
    private final long idleWaitMillis;
    private final SourceReaderMetrics metrics;
    private final Map<String, Position> positions = new LinkedHashMap<>();
    private final Object idle = new Object();
    private boolean wokenUp;

    PartitionSplitReader(
            PartitionedStream stream,
            @Nullable CheckpointStoreFactory stores,
            int maxChunk,
            Duration idleWait,
            SourceReaderMetrics metrics) {
        this.stream = stream;
        this.stores = stores;
        this.maxChunk = maxChunk;
        this.idleWaitMillis = idleWait.toMillis();
        this.metrics = metrics;
    }

    @Override
    public RecordsWithSplitIds<Chunk> fetch() throws IOException {
        Map<String, java.util.Collection<Chunk>> chunks = new HashMap<>();
        Set<String> finished = new HashSet<>();
        for (var iterator = positions.entrySet().iterator(); iterator.hasNext(); ) {
            Map.Entry<String, Position> entry = iterator.next();
            Position position = entry.getValue();
            Chunk chunk = position.replayIsDue() ? replay(position) : readForward(position);
            if (chunk != null) {
                chunks.put(entry.getKey(), List.of(chunk));
            }
            if (position.isFinished()) {
                finished.add(entry.getKey());
                iterator.remove();
            }
        }
        if (chunks.isEmpty() && finished.isEmpty()) {
            waitForRecords();
        }
        return new RecordsBySplits<>(chunks, finished);
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
        position.metrics.replayed();
        return new Chunk(records, pending);
    }

    @Nullable
    private Chunk readForward(Position position) throws IOException {
        String partition = position.split.partition().partition();
        long stop = position.split.stopSequence();
        if (position.pending != null && position.pending.range().from() >= stop) {
            // Beyond a bounded read: not this job's to replay.
            position.pending = null;
        }
        long limit = position.pending == null ? stop : position.pending.range().from();
        if (position.next >= stop) {
            position.finished = true;
            return null;
        }
        List<PartitionRecord> read = stream.readFrom(partition, position.next, maxChunk);
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
            updateLag(position, true);
            // Bounded: nothing left below the stop sequence (gaps at the end of the range).
            position.finished =
                    position.split.isBounded()
                            && (!read.isEmpty() || stream.endSequence(partition) >= stop);
            return null;
        }
        position.next = records.get(records.size() - 1).sequence() + 1;
        position.finished = position.next >= stop;
        updateLag(position, false);
        return new Chunk(records, null);
    }

    /**
     * Lag against the partition's end, looked up at most once per refresh interval (a Kafka end
     * offset is a request), or at once when the reader has caught up with the end it knew.
     */
    private void updateLag(Position position, boolean nothingRead) {
        long now = System.nanoTime();
        if (now - position.endLookedUpAt > LAG_REFRESH_NANOS
                || (!nothingRead && position.next > position.end)) {
            position.end = stream.endSequence(position.split.partition().partition());
            position.endLookedUpAt = now;
        }
        position.metrics.lag(nothingRead ? 0 : position.end - position.next);
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
        for (PartitionSplit split : change.splits()) {
            PartitionCheckpoint checkpoint = checkpointOf(split);
            requireWithinStream(split, checkpoint);
            PendingCheckpoint pending = stores == null ? split.pending() : checkpoint.pending();
            Position position = new Position(split, pending, metrics.of(split.partition()));
            position.metrics.pendingRange(position.pending != null);
            positions.put(split.splitId(), position);
        }
    }

    /**
     * The sink's checkpoint of the split's partition (its pending range is the one to replay: it
     * may have changed since the split was snapshotted); {@code INITIAL} without a store.
     */
    private PartitionCheckpoint checkpointOf(PartitionSplit split) {
        if (stores == null) {
            return PartitionCheckpoint.INITIAL;
        }
        if (store == null) {
            store = stores.open();
        }
        return store.load(split.partition());
    }

    /**
     * Where reading starts, and what the sink committed, must lie within what the stream holds now.
     * Beyond its end the partition lost records or was created again (a Kafka topic deleted and
     * recreated, a log truncated by an unclean leader election, a local stream whose relaxed
     * appends a crash lost): new records would get numbers that were read or committed already and
     * be skipped, or reading would wait for ever at a position that never comes.
     */
    private void requireWithinStream(PartitionSplit split, PartitionCheckpoint checkpoint) {
        String partition = split.partition().partition();
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
        if (split.nextSequence() == 0
                && checkpoint.committed() == PartitionCheckpoint.NOTHING_COMMITTED) {
            return; // nothing read or committed yet: nothing can lie beyond the end (no request)
        }
        long end = stream.endSequence(partition);
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
        long end;
        long endLookedUpAt = System.nanoTime() - LAG_REFRESH_NANOS - 1;

        Position(
                PartitionSplit split,
                @Nullable PendingCheckpoint pending,
                SourceReaderMetrics.Partition metrics) {
            this.split = split;
            this.metrics = metrics;
            this.next = split.nextSequence();
            this.pending = pending;
        }

        boolean replayIsDue() {
            return pending != null && next >= pending.range().from();
        }

        boolean isFinished() {
            return finished && pending == null;
        }
    }
}
