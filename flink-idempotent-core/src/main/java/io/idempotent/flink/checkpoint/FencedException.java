package io.idempotent.flink.checkpoint;

import io.idempotent.flink.stream.StreamPartition;
import org.apache.flink.annotation.Internal;

/**
 * A write came from an owner whose epoch is no longer current: another owner has acquired the
 * partition since. Nothing was changed. The old owner must stop working on the partition.
 */
@Internal
public class FencedException extends CheckpointStoreException {

    private static final long serialVersionUID = 1L;

    private final StreamPartition partition;
    private final long staleEpoch;
    private final long currentEpoch;

    public FencedException(StreamPartition partition, long staleEpoch, long currentEpoch) {
        super(
                String.format(
                        "Partition %s is fenced for epoch %d: it was acquired by epoch %d since."
                                + " Nothing was written; this owner must let the partition go.",
                        partition, staleEpoch, currentEpoch));
        this.partition = partition;
        this.staleEpoch = staleEpoch;
        this.currentEpoch = currentEpoch;
    }

    public StreamPartition partition() {
        return partition;
    }

    public long staleEpoch() {
        return staleEpoch;
    }

    public long currentEpoch() {
        return currentEpoch;
    }
}
