package io.idempotent.flink.checkpoint;

import java.io.Serializable;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Opens a {@link PartitionCheckpointStore} where it is used: in the enumerator, in each committer.
 * Serializable, so that it travels with the job; it holds configuration, never a connection.
 */
@PublicEvolving
@FunctionalInterface
public interface CheckpointStoreFactory extends Serializable {

    PartitionCheckpointStore open();
}
