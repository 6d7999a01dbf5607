package io.idempotent.flink.stream;

import java.io.Serializable;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Opens a {@link PartitionedStream} where it is read: in the split enumerator and in each source
 * reader. Serializable; holds configuration, never a connection.
 */
@PublicEvolving
@FunctionalInterface
public interface PartitionedStreamFactory extends Serializable {

    PartitionedStream open();
}
