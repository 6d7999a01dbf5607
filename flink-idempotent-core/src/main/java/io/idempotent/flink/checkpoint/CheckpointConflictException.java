package io.idempotent.flink.checkpoint;

import io.idempotent.flink.stream.StreamPartition;
import org.apache.flink.annotation.Internal;

/**
 * A transition does not fit the partition's checkpoint: a second pending range, a range that
 * overlaps what is committed, or a commit of a range that is not the pending one. Nothing was
 * changed.
 */
@Internal
public class CheckpointConflictException extends CheckpointStoreException {

    private static final long serialVersionUID = 1L;

    private final StreamPartition partition;

    public CheckpointConflictException(StreamPartition partition, String message) {
        super("Partition " + partition + ": " + message);
        this.partition = partition;
    }

    public StreamPartition partition() {
        return partition;
    }
}
