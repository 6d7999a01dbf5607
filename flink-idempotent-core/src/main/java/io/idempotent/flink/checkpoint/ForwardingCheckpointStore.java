package io.idempotent.flink.checkpoint;

import io.idempotent.flink.stream.StreamPartition;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.Internal;

/**
 * A checkpoint store that passes every call on to another, for wrappers that watch or change a few
 * of them: extend it and override what the wrapper changes. Every method of {@link
 * PartitionCheckpointStore} is forwarded, defaults included, so that a wrapper keeps the store's
 * own batched and listing operations; {@code markPending} and {@code commit} are written as one
 * {@link #apply}, so a wrapper that overrides {@code apply} sees every write.
 */
@Internal
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
    public Map<StreamPartition, PartitionCheckpoint> list() {
        return delegate.list();
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
