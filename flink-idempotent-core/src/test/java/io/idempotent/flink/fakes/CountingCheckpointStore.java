package io.idempotent.flink.fakes;

import io.idempotent.flink.checkpoint.CheckpointTransition;
import io.idempotent.flink.checkpoint.ForwardingCheckpointStore;
import io.idempotent.flink.checkpoint.InMemoryCheckpointStore;
import io.idempotent.flink.checkpoint.PartitionCheckpoint;
import io.idempotent.flink.stream.StreamPartition;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * An in-memory store that keeps each write's transitions and counts acquisition writes, the
 * partitions they acquired, and reads.
 */
public final class CountingCheckpointStore extends ForwardingCheckpointStore {

    public final List<List<? extends CheckpointTransition>> writes = new ArrayList<>();

    /** Acquisition writes: each {@code acquire} or {@code acquireAll} call. */
    public int acquisitions;

    /** Partitions acquired, over all acquisition writes. */
    public int acquired;

    /** Reads: each {@code load} or {@code loadAll} call. */
    public int loads;

    public CountingCheckpointStore() {
        super(new InMemoryCheckpointStore());
    }

    @Override
    public long acquire(StreamPartition partition) {
        acquisitions++;
        acquired++;
        return super.acquire(partition);
    }

    @Override
    public Map<StreamPartition, Long> acquireAll(Collection<StreamPartition> partitions) {
        acquisitions++;
        acquired += partitions.size();
        return super.acquireAll(partitions);
    }

    @Override
    public PartitionCheckpoint load(StreamPartition partition) {
        loads++;
        return super.load(partition);
    }

    @Override
    public Map<StreamPartition, PartitionCheckpoint> loadAll(
            Collection<StreamPartition> partitions) {
        loads++;
        return super.loadAll(partitions);
    }

    @Override
    public void apply(List<? extends CheckpointTransition> transitions) {
        writes.add(List.copyOf(transitions));
        super.apply(transitions);
    }

    /** The kinds of the transitions of each write, e.g. {@code [Commit, MarkPending]}. */
    public static List<String> kinds(List<? extends CheckpointTransition> write) {
        return write.stream().map(t -> t.getClass().getSimpleName()).toList();
    }
}
