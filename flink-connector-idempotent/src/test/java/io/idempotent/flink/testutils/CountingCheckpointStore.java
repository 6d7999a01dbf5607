package io.idempotent.flink.testutils;

import io.idempotent.flink.checkpoint.CheckpointTransition;
import io.idempotent.flink.checkpoint.InMemoryCheckpointStore;
import io.idempotent.flink.checkpoint.PartitionCheckpoint;
import io.idempotent.flink.stream.StreamPartition;
import java.util.ArrayList;
import java.util.List;

/** An in-memory store that keeps each write's transitions and counts acquisitions and loads. */
public final class CountingCheckpointStore extends ForwardingCheckpointStore {

    public final List<List<? extends CheckpointTransition>> writes = new ArrayList<>();
    public int acquisitions;
    public int loads;

    public CountingCheckpointStore() {
        super(new InMemoryCheckpointStore());
    }

    @Override
    public long acquire(StreamPartition partition) {
        acquisitions++;
        return super.acquire(partition);
    }

    @Override
    public PartitionCheckpoint load(StreamPartition partition) {
        loads++;
        return super.load(partition);
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
