package io.idempotent.flink.source.reader;

import io.idempotent.flink.checkpoint.PendingCheckpoint;
import io.idempotent.flink.source.split.PartitionSplit;
import io.idempotent.flink.stream.PartitionRecord;
import io.idempotent.flink.stream.PartitionedStream;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.connector.base.source.reader.RecordsBySplits;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsChange;

/**
 * Reads the assigned partitions in the fetcher thread: first each split's pending range, exactly,
 * as one chunk; then forward in chunks of at most {@code maxChunk} records.
 */
@Internal
final class PartitionSplitReader implements SplitReader<Chunk, PartitionSplit> {

    private final PartitionedStream stream;
    private final int maxChunk;
    private final long idleWaitMillis;
    private final Map<String, Position> positions = new LinkedHashMap<>();
    private final Object idle = new Object();
    private boolean wokenUp;

    PartitionSplitReader(PartitionedStream stream, int maxChunk, Duration idleWait) {
        this.stream = stream;
        this.maxChunk = maxChunk;
        this.idleWaitMillis = idleWait.toMillis();
    }

    @Override
    public RecordsWithSplitIds<Chunk> fetch() throws IOException {
        Map<String, java.util.Collection<Chunk>> chunks = new HashMap<>();
        Set<String> finished = new HashSet<>();
        for (var iterator = positions.entrySet().iterator(); iterator.hasNext(); ) {
            Map.Entry<String, Position> entry = iterator.next();
            Position position = entry.getValue();
            Chunk chunk = position.pending != null ? replay(position) : readForward(position);
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
        position.next = range.to() + 1;
        position.pending = null;
        return new Chunk(records, pending);
    }

    @Nullable
    private Chunk readForward(Position position) {
        String partition = position.split.partition().partition();
        long stop = position.split.stopSequence();
        if (position.next >= stop) {
            position.finished = true;
            return null;
        }
        List<PartitionRecord> read = stream.readFrom(partition, position.next, maxChunk);
        List<PartitionRecord> records = new ArrayList<>(read.size());
        for (PartitionRecord record : read) {
            if (record.sequence() < stop) {
                records.add(record);
            }
        }
        if (records.isEmpty()) {
            // Bounded: nothing left below the stop sequence (gaps at the end of the range).
            position.finished =
                    position.split.isBounded()
                            && (!read.isEmpty() || stream.endSequence(partition) >= stop);
            return null;
        }
        position.next = records.get(records.size() - 1).sequence() + 1;
        position.finished = position.next >= stop;
        return new Chunk(records, null);
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
            positions.put(split.splitId(), new Position(split));
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
    public void close() {
        stream.close();
    }

    private static final class Position {
        final PartitionSplit split;
        long next;
        @Nullable PendingCheckpoint pending;
        boolean finished;

        Position(PartitionSplit split) {
            this.split = split;
            this.next = split.nextSequence();
            this.pending = split.pending();
        }

        boolean isFinished() {
            return finished && pending == null;
        }
    }
}
