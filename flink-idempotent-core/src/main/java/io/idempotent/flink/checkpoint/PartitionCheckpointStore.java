package io.idempotent.flink.checkpoint;

import io.idempotent.flink.storage.WriteDurability;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Durable checkpoint metadata per stream partition: the committed sequence number, at most one
 * {@link PendingCheckpoint}, and an owner epoch that fences old owners.
 *
 * <p>Every change is an atomic compare-and-set ({@link CheckpointTransition}). A change from an
 * epoch that is not current throws {@link FencedException}; one that does not fit the checkpoint
 * throws {@link CheckpointConflictException}; in both cases nothing is written. Writes are durable
 * when the method returns (see {@link WriteDurability}). Implementations are thread-safe.
 */
@PublicEvolving
public interface PartitionCheckpointStore extends AutoCloseable {

    /**
     * Makes the caller the partition's owner and returns its new epoch. Every earlier epoch is
     * fenced from now on.
     */
    long acquire(StreamPartition partition);

    /**
     * Acquires several partitions at once, in one durable write where the store can, and returns
     * each partition's new epoch.
     */
    default Map<StreamPartition, Long> acquireAll(Collection<StreamPartition> partitions) {
        Map<StreamPartition, Long> epochs = new LinkedHashMap<>();
        for (StreamPartition partition : new TreeSet<>(partitions)) {
            epochs.put(partition, acquire(partition));
        }
        return epochs;
    }

    /** The partition's checkpoint; {@link PartitionCheckpoint#INITIAL} if it has none yet. */
    PartitionCheckpoint load(StreamPartition partition);

    /**
     * The checkpoints of several partitions, in one read where the store can; {@link
     * PartitionCheckpoint#INITIAL} for those without one.
     */
    default Map<StreamPartition, PartitionCheckpoint> loadAll(
            Collection<StreamPartition> partitions) {
        Map<StreamPartition, PartitionCheckpoint> checkpoints = new LinkedHashMap<>();
        for (StreamPartition partition : partitions) {
            checkpoints.put(partition, load(partition));
        }
        return checkpoints;
    }

    /**
     * Applies the transitions in order, all or none, in one durable write, however many partitions
     * they touch.
     */
    void apply(List<? extends CheckpointTransition> transitions);

    /**
     * Every checkpoint the store holds, by partition, in the store's order; for operator tools
     * ({@code status}, {@code reset}). Stores that cannot list throw {@link
     * UnsupportedOperationException}.
     */
    default Map<StreamPartition, PartitionCheckpoint> list() {
        throw new UnsupportedOperationException(
                getClass().getSimpleName() + " cannot list its checkpoints.");
    }

    /** Records {@code pending} as the range about to be sent. */
    default void markPending(StreamPartition partition, long epoch, PendingCheckpoint pending) {
        apply(List.of(CheckpointTransition.markPending(partition, epoch, pending)));
    }

    /** Records that the pending {@code range} was delivered. */
    default void commit(StreamPartition partition, long epoch, SequenceRange range) {
        apply(List.of(CheckpointTransition.commit(partition, epoch, range)));
    }

    @Override
    void close();
}
