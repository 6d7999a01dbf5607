package io.idempotent.flink.stream;

import java.io.Serializable;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;

/** One partition of one stream, by name: the unit that has a checkpoint and a single owner. */
@PublicEvolving
public record StreamPartition(String stream, String partition)
        implements Serializable, Comparable<StreamPartition> {

    public StreamPartition {
        Objects.requireNonNull(stream, "stream name must not be null");
        Objects.requireNonNull(partition, "partition name must not be null");
        if (stream.isEmpty() || partition.isEmpty()) {
            throw new IllegalArgumentException(
                    "Stream and partition names must not be empty, but got '"
                            + stream
                            + "' / '"
                            + partition
                            + "'.");
        }
    }

    @Override
    public int compareTo(StreamPartition other) {
        int byStream = stream.compareTo(other.stream);
        return byStream != 0 ? byStream : partition.compareTo(other.partition);
    }

    @Override
    public String toString() {
        return stream + "/" + partition;
    }
}
