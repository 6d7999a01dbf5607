package io.idempotent.flink.source.enumerator;

import io.idempotent.flink.source.split.PartitionSplit;
import java.util.List;
import java.util.Set;
import org.apache.flink.annotation.Internal;

/**
 * What the enumerator checkpoints: the partitions it has discovered (so none is started twice) and
 * the splits not yet assigned to a reader.
 */
@Internal
public record EnumeratorState(Set<String> discovered, List<PartitionSplit> unassigned) {

    public EnumeratorState {
        discovered = Set.copyOf(discovered);
        unassigned = List.copyOf(unassigned);
    }
}
