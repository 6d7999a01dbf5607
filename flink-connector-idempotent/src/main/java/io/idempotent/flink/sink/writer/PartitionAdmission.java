package io.idempotent.flink.sink.writer;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.checkpoint.PartitionCheckpoint;
import io.idempotent.flink.checkpoint.PartitionCheckpointStore;
import io.idempotent.flink.checkpoint.SinkScopedStore;
import io.idempotent.flink.destination.IdempotentDestination;
import io.idempotent.flink.origin.Origin;
import io.idempotent.flink.protocol.BatchDelivery;
import io.idempotent.flink.sink.BatchLimit;
import io.idempotent.flink.stream.PartitionedStream;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which partitions a writer delivers, and taking them over. An element may come only from the
 * source subtask chained to this writer (anything else means the pipeline redistributes records,
 * refused without restarts). A partition's identities must fit the store and the destination, and
 * no sink of an earlier version without a name may have left checkpoints of it: both are checked
 * before anything is marked pending, since neither goes away with a restart.
 *
 * <p>A partition is taken over (acquired, fencing its previous owner, and its checkpoint loaded) at
 * the first delivery after its first element arrives, together with every other partition whose
 * first elements arrived meanwhile: one store write for all of them, so that a subtask assigned
 * thousands of partitions does not make a synced write for each. Until then its elements wait here,
 * in arrival order.
 */
final class PartitionAdmission<T> {

    /** Receives a waiting element once its partition is taken over. */
    interface Taken<T> {
        void add(PartitionFeed<T> feed, T value, Origin origin, long size);
    }

    private final String sink;
    private final int subtask;
    private final SinkScopedStore store;
    private final IdempotentDestination<?> destination;
    private final BatchDelivery<T, PartitionFeed<T>> delivery;
    private final BatchLimit limit;
    private final FailurePolicy failures;

    /** Elements of partitions not taken over yet, in arrival order per partition. */
    private final Map<StreamPartition, Waiting<T>> waiting = new LinkedHashMap<>();

    /** An element whose partition is not taken over yet. */
    private record Arrival<T>(T value, Origin origin, long size) {}

    /** The elements of one partition not taken over yet, and their size. */
    private static final class Waiting<T> {
        final List<Arrival<T>> elements = new ArrayList<>();
        long bytes;
    }

    PartitionAdmission(
            String sink,
            int subtask,
            SinkScopedStore store,
            IdempotentDestination<?> destination,
            BatchDelivery<T, PartitionFeed<T>> delivery,
            BatchLimit limit,
            FailurePolicy failures) {
        this.sink = sink;
        this.subtask = subtask;
        this.store = store;
        this.destination = destination;
        this.delivery = delivery;
        this.limit = limit;
        this.failures = failures;
    }

    /** Refuses an element that another source subtask read than the one chained to this writer. */
    void requireChainedSource(Origin origin) {
        if (origin.readerSubtask() != subtask) {
            throw FailurePolicy.refused(
                    String.format(
                            "Sink subtask %d received a record of %s/%s read by source subtask %d:"
                                    + " the pipeline redistributes records (keyBy, rebalance, or"
                                    + " another parallelism than the source's) between the source"
                                    + " and this sink. Origin identities need each partition's"
                                    + " records in one sink subtask, in order: keep the sink"
                                    + " chained to the source at the same parallelism, or use"
                                    + " CheckpointAlignedSink.builder() (checkpoint"
                                    + " identities).",
                            subtask, origin.stream(), origin.partition(), origin.readerSubtask()));
        }
    }

    /**
     * Holds an element of a partition not taken over yet.
     *
     * @return whether the waiting elements of its partition make a full batch: then take them over
     *     now
     */
    boolean hold(StreamPartition partition, T value, Origin origin, long size) {
        Waiting<T> elements = waiting.get(partition);
        if (elements == null) {
            requireHoldableIdentities(partition);
            elements = new Waiting<>();
            waiting.put(partition, elements);
        }
        elements.elements.add(new Arrival<>(value, origin, size));
        elements.bytes += size;
        return limit.isFull(elements.elements.size(), elements.bytes, 0);
    }

    /**
     * Takes every partition with waiting elements over, in one store write (and one read), then
     * hands their elements to {@code taken} in arrival order.
     */
    void takeOver(Taken<T> taken) {
        if (waiting.isEmpty()) {
            return;
        }
        List<StreamPartition> fresh = new ArrayList<>();
        Map<StreamPartition, PartitionFeed<T>> feeds =
                failures.fencedGet(
                        () ->
                                delivery.takeOverAll(
                                        waiting.keySet(),
                                        (partition, checkpoint) -> {
                                            if (checkpoint.committed()
                                                            == PartitionCheckpoint.NOTHING_COMMITTED
                                                    && checkpoint.pending() == null) {
                                                fresh.add(partition);
                                            }
                                            return new PartitionFeed<>(sink, partition, checkpoint);
                                        }));
        requireNoUnnamedCheckpoints(fresh);
        List<Map.Entry<StreamPartition, Waiting<T>>> admitted = new ArrayList<>(waiting.entrySet());
        waiting.clear();
        for (Map.Entry<StreamPartition, Waiting<T>> entry : admitted) {
            PartitionFeed<T> feed = feeds.get(entry.getKey());
            for (Arrival<T> arrival : entry.getValue().elements) {
                taken.add(feed, arrival.value(), arrival.origin(), arrival.size());
            }
        }
    }

    /** Checks that the partition's identities fit the store and the destination. */
    private void requireHoldableIdentities(StreamPartition partition) {
        BatchId longest =
                BatchId.of(sink, partition, SequenceRange.of(Long.MAX_VALUE, Long.MAX_VALUE));
        try {
            BatchId.parse(longest.value());
            destination.requireHoldable(longest);
        } catch (IllegalArgumentException e) {
            throw FailurePolicy.refused(
                    String.format(
                            "Sink '%s' cannot deliver partition %s: its batch identities, up to"
                                    + " '%s', cannot be held: %s Use shorter stream, partition or"
                                    + " sink names.",
                            sink, partition, longest, e.getMessage()));
        }
    }

    /**
     * Checks that no sink without a name (an earlier version) left a checkpoint of the partitions
     * this sink has none of.
     */
    private void requireNoUnnamedCheckpoints(List<StreamPartition> fresh) {
        if (fresh.isEmpty()) {
            return;
        }
        PartitionCheckpointStore unscoped = store.unscoped();
        Map<StreamPartition, PartitionCheckpoint> unnamed = unscoped.loadAll(fresh);
        // Earlier versions named a Kafka topic's partitions without the topic's incarnation.
        Map<StreamPartition, StreamPartition> withoutIncarnation = new LinkedHashMap<>();
        for (StreamPartition partition : fresh) {
            if (unnamed.get(partition).equals(PartitionCheckpoint.INITIAL)) {
                PartitionedStream.withoutIncarnation(partition.stream())
                        .ifPresent(
                                plain ->
                                        withoutIncarnation.put(
                                                new StreamPartition(plain, partition.partition()),
                                                partition));
            }
        }
        Map<StreamPartition, PartitionCheckpoint> byPlainName =
                withoutIncarnation.isEmpty()
                        ? Map.of()
                        : unscoped.loadAll(withoutIncarnation.keySet());
        for (StreamPartition partition : fresh) {
            requireUnused(partition, unnamed.get(partition));
        }
        withoutIncarnation.forEach(
                (plain, partition) -> requireUnused(partition, byPlainName.get(plain)));
    }

    private void requireUnused(StreamPartition partition, PartitionCheckpoint unnamed) {
        if (unnamed.committed() != PartitionCheckpoint.NOTHING_COMMITTED
                || unnamed.pending() != null) {
            throw FailurePolicy.refused(
                    String.format(
                            "The checkpoint store holds a checkpoint of %s written by a sink"
                                    + " without a name (an earlier version of this library):"
                                    + " %s. Sink '%s' has none, and would deliver again what"
                                    + " that sink delivered. Finish the old job with the"
                                    + " version that started it, or start this sink on a new"
                                    + " store: it then starts from Flink's restored positions,"
                                    + " and batches the old sink delivered after them arrive"
                                    + " again.",
                            partition, unnamed, sink));
        }
    }
}
