package io.idempotent.flink.sink.writer;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.checkpoint.PartitionCheckpoint;
import io.idempotent.flink.checkpoint.PendingCheckpoint;
import io.idempotent.flink.destination.Batch;
import io.idempotent.flink.origin.Origin;
import io.idempotent.flink.sink.BatchLimit;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.flink.util.FlinkRuntimeException;

/**
 * One partition's elements since the last barrier, fitted to the partition's checkpoint as the
 * writer took it over. Elements of sequences at or below the committed position are dropped: a
 * restore re-reads records that an earlier attempt delivered after its last completed checkpoint,
 * and processing is deterministic, so they are what the destination has. A pending range must come
 * back as a replay (the source reads it again, exactly, as one chunk) before anything after it, and
 * forms exactly the pending batch again, under its identity. Touched by the task thread only.
 */
final class PartitionFeed<T> {

    private final String sink;
    private final StreamPartition partition;
    private final long committed;

    /** The store's pending range, until its replay begins. */
    @Nullable private PendingCheckpoint awaitingReplay;

    /** The pending range being replayed since the last barrier, and its elements. */
    @Nullable private PendingCheckpoint replayOf;

    @Nullable private List<T> replay;

    /**
     * Whether an element after the replay has come, which proves the replay whole: the source emits
     * a replay as one chunk, before anything after it, and a barrier never falls inside one, but on
     * an edge that is not chained the sink's timers may fire between its elements.
     */
    private boolean replayEnded;

    /**
     * The batch being formed; a new list with a batch's first element. A list made ahead would wait
     * in an idle partition's feed until the garbage collector moves it to the old generation; once
     * filled, delivered and dropped, it would then keep its elements alive through every young
     * collection until an old one (at 10,000 partitions, each read once per drain, that was every
     * record of the drain).
     */
    private List<T> elements = List.of();

    /** The source sequence of each element of {@code replay} and of {@code elements}. */
    private Sequences replaySequences;

    /** Allocated with a batch's first element: an idle partition keeps no array. */
    @Nullable private Sequences sequences;

    /** The size of {@code elements}, as {@link ElementSizer} counts it. */
    private long bytes;

    private long first;
    private long last;

    /** The highest sequence number delivered or in a batch: later elements must lie beyond it. */
    private long covered;

    PartitionFeed(String sink, StreamPartition partition, PartitionCheckpoint checkpoint) {
        this.sink = sink;
        this.partition = partition;
        this.committed = checkpoint.committed();
        this.awaitingReplay = checkpoint.pending();
        this.covered = committed;
    }

    /**
     * Takes {@code element} of {@code size} bytes; returns {@code false} if it was delivered before
     * and is dropped.
     */
    boolean add(T element, Origin origin, long size) {
        PendingCheckpoint replaying = origin.replaying();
        if (replaying != null) {
            return addReplayed(element, origin);
        }
        replayEnded = true;
        long sequence = origin.sequence();
        if (sequence <= committed) {
            return false;
        }
        if (awaitingReplay != null) {
            throw notReplayed(sequence);
        }
        // Several elements of one record (a flatMap) share its sequence number.
        long floor = elements.isEmpty() ? covered + 1 : last;
        if (sequence < floor) {
            throw outOfOrder(sequence, elements.isEmpty() ? covered : last);
        }
        if (elements.isEmpty()) {
            first = sequence;
            elements = new ArrayList<>();
            sequences = new Sequences();
        }
        elements.add(element);
        sequences.add(sequence);
        bytes += size;
        last = sequence;
        return true;
    }

    private boolean addReplayed(T element, Origin origin) {
        PendingCheckpoint replaying = origin.replaying();
        if (awaitingReplay != null && isThe(awaitingReplay, replaying)) {
            replayOf = awaitingReplay;
            replay = new ArrayList<>();
            replaySequences = new Sequences();
            replayEnded = false;
            covered = Math.max(covered, replayOf.range().to());
            awaitingReplay = null;
        }
        if (replayOf != null && isThe(replayOf, replaying)) {
            replay.add(element);
            replaySequences.add(origin.sequence());
            return true;
        }
        if (replaying.range().to() <= committed) {
            // A replay the source had kept in its state, of a range delivered since.
            return false;
        }
        throw new FlinkRuntimeException(
                String.format(
                        "Partition %s: the source replays the pending range %s, but the"
                                + " checkpoint store holds committed = %d and %s. Was the store"
                                + " changed behind the job, or does the source read another"
                                + " store than the sink?",
                        partition,
                        replaying,
                        committed,
                        awaitingReplay == null ? "no pending range" : "pending " + awaitingReplay));
    }

    private static boolean isThe(PendingCheckpoint pending, PendingCheckpoint replaying) {
        return pending.batchId().equals(replaying.batchId())
                && pending.range().equals(replaying.range());
    }

    /**
     * Whether the batch being formed takes no element of {@code size} bytes more under {@code
     * limit} and the element of {@code origin} would begin a new record: then the batch is full and
     * must be delivered before it is added. A record's elements (a flatMap's) share its sequence
     * and are never split between batches; a replay is never cut (it must re-form the pending batch
     * whole).
     */
    boolean isFullBefore(Origin origin, BatchLimit limit, long size) {
        return origin.replaying() == null
                && limit.isFull(elements.size(), bytes, size)
                && origin.sequence() > last
                && awaitingReplay == null;
    }

    /**
     * Adds this barrier's batches to {@code batches}, the replayed one first, then the new one, and
     * the source sequence of each of their elements to {@code sequences}. At a barrier, at the end
     * of the input, and before an element that does not fit (which is not part of a replay), every
     * replay that began is whole.
     */
    void closeBatches(List<Batch<T>> batches, Map<BatchId, long[]> sequencesOf) {
        closeBatches(batches, sequencesOf, true);
    }

    /**
     * Like {@link #closeBatches(List, Map)} between barriers, on the eager mode's timer: a replay
     * stays open until an element after it proves it whole (or the next barrier comes), since part
     * of it sent under its identity would stand for all of it.
     */
    void closeReadyBatches(List<Batch<T>> batches, Map<BatchId, long[]> sequencesOf) {
        closeBatches(batches, sequencesOf, replayEnded);
    }

    private void closeBatches(
            List<Batch<T>> batches, Map<BatchId, long[]> sequencesOf, boolean replayWhole) {
        if (replayOf != null) {
            if (!replayWhole) {
                // Nothing after the replay has come, so nothing new waits behind it.
                return;
            }
            // The pending range, not what survived the user's filters, is the identity.
            batches.add(
                    new Batch<>(
                            replayOf.batchId(),
                            partition,
                            replayOf.range(),
                            replay,
                            replayOf.location()));
            sequencesOf.put(replayOf.batchId(), replaySequences.toArray());
            replayOf = null;
            replay = null;
            replaySequences = null;
        }
        if (!elements.isEmpty()) {
            SequenceRange range = SequenceRange.of(first, last);
            Batch<T> batch = Batch.of(sink, partition, range, elements);
            batches.add(batch);
            sequencesOf.put(batch.id(), sequences.toArray());
            covered = last;
            elements = List.of();
            sequences = null;
            bytes = 0;
        }
    }

    /** A growing list of sequence numbers without a box per element. */
    private static final class Sequences {
        private long[] values = new long[16];
        private int size;

        void add(long value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        long[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }

    private FlinkRuntimeException notReplayed(long sequence) {
        if (sequence < awaitingReplay.range().from()) {
            return new FlinkRuntimeException(
                    String.format(
                            "Partition %s: record %d produced an element, but when the pending"
                                    + " range %s was formed after the committed position %d,"
                                    + " it produced none. Processing must be a deterministic"
                                    + " function of the records for a replay to re-form the"
                                    + " same batch.",
                            partition, sequence, awaitingReplay, committed));
        }
        return new FlinkRuntimeException(
                String.format(
                        "Partition %s: the checkpoint store holds the pending range %s, which"
                                + " must be re-sent before anything after it, but record %d"
                                + " arrived without being replayed as that range. Build the"
                                + " IdempotentSource with checkpointStore(...), the sink's"
                                + " store, and pass the sink itself to sinkTo(...): a wrapper"
                                + " around it must implement SupportsPreWriteTopology and"
                                + " delegate, so that the sink tells the source its name and"
                                + " the source replays the sink's pending ranges.",
                        partition, awaitingReplay, sequence));
    }

    private FlinkRuntimeException outOfOrder(long sequence, long after) {
        return new FlinkRuntimeException(
                String.format(
                        "Records of partition %s reach the sink out of order (sequence %d after"
                                + " %d). Batches are formed per partition from the source's"
                                + " order, so no keyBy, rebalance or other redistribution may"
                                + " sit between the source and this sink.",
                        partition, sequence, after));
    }
}
