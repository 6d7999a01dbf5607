package io.idempotent.flink.checkpoint;

import io.idempotent.flink.stream.StreamPartition;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.annotation.Internal;

/**
 * A store that keeps checkpoints in this object only: nothing survives the process. For unit tests
 * and experiments; it follows the same contract as the durable stores.
 */
@Internal
public final class InMemoryCheckpointStore implements PartitionCheckpointStore {

    private final Map<StreamPartition, PartitionCheckpoint> checkpoints = new HashMap<>();

    @Override
    public synchronized long acquire(StreamPartition partition) {
        PartitionCheckpoint current = load(partition);
        PartitionCheckpoint acquired = current.withEpoch(current.epoch() + 1);
        checkpoints.put(partition, acquired);
        return acquired.epoch();
    }

    @Override
    public synchronized Map<StreamPartition, PartitionCheckpoint> list() {
        Map<StreamPartition, PartitionCheckpoint> sorted =
                new TreeMap<>(
                        Comparator.comparing(StreamPartition::stream)
                                .thenComparing(StreamPartition::partition));
        sorted.putAll(checkpoints);
        return sorted;
    }

    @Override
    public synchronized PartitionCheckpoint load(StreamPartition partition) {
        return checkpoints.getOrDefault(partition, PartitionCheckpoint.INITIAL);
    }

    @Override
    public synchronized void apply(List<? extends CheckpointTransition> transitions) {
        checkpoints.putAll(CheckpointTransition.applyAll(transitions, this::load));
    }

    @Override
    public void close() {}
}
