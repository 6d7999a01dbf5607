package io.idempotent.flink.testutils;

import io.idempotent.flink.checkpoint.CheckpointTransition;
import io.idempotent.flink.checkpoint.PartitionCheckpoint;
import io.idempotent.flink.checkpoint.PartitionCheckpointStore;
import io.idempotent.flink.stream.StreamPartition;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** A store that hands every call to another; tests and the benchmark override what they watch. */
public class ForwardingCheckpointStore implements PartitionCheckpointStore {

    private final PartitionCheckpointStore delegate;

    public ForwardingCheckpointStore(PartitionCheckpointStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public long acquire(StreamPartition partition) {
        return delegate.acquire(partition);
    }

    @Override
    public Map<StreamPartition, Long> acquireAll(Collection<StreamPartition> partitions) {
        return delegate.acquireAll(partitions);
    }

    @Override
    public PartitionCheckpoint load(StreamPartition partition) {
        return delegate.load(partition);
    }

    @Override
    public Map<StreamPartition, PartitionCheckpoint> loadAll(
            Collection<StreamPartition> partitions) {
        return delegate.loadAll(partitions);
    }

    @Override
    public void apply(List<? extends CheckpointTransition> transitions) {
        delegate.apply(transitions);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
