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
import java.util.concurrent.TimeUnit;
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

    private static final long LAG_REFRESH_NANOS =
            TimeUnit.MILLISECONDS.toNanos(SourceReaderMetrics.LAG_REFRESH_MILLIS);

    private final PartitionedStream stream;
    private final int maxChunk;
    private final long idleWaitMillis;
    private final SourceReaderMetrics metrics;
    private final Map<String, Position> positions = new LinkedHashMap<>();
    private final Object idle = new Object();
    private boolean wokenUp;

    PartitionSplitReader(
            PartitionedStream stream,
            int maxChunk,
            Duration idleWait,
            SourceReaderMetrics metrics) {
        this.stream = stream;
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
        position.metrics.replayed();
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
            Position position = new Position(split, metrics.of(split.partition()));
            position.metrics.pendingRange(split.pending() != null);
            positions.put(split.splitId(), position);
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
        final SourceReaderMetrics.Partition metrics;
        long next;
        @Nullable PendingCheckpoint pending;
        boolean finished;
        long end;
        long endLookedUpAt = System.nanoTime() - LAG_REFRESH_NANOS - 1;

        Position(PartitionSplit split, SourceReaderMetrics.Partition metrics) {
            this.split = split;
            this.metrics = metrics;
            this.next = split.nextSequence();
            this.pending = split.pending();
        }

        boolean isFinished() {
            return finished && pending == null;
        }
    }
}
