package io.idempotent.flink.sink.committer;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.destination.Batch;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import java.util.List;
import java.util.Objects;
import org.apache.flink.annotation.Internal;

/**
 * A batch that becomes a pending checkpoint once its Flink checkpoint completes: plain data (the
 * identity, the origin range, the elements and the sequence number each element came from), never a
 * client.
 */
@Internal
public record BatchCommittable<T>(
        BatchId id,
        StreamPartition partition,
        SequenceRange range,
        List<T> elements,
        List<Long> sequences,
        boolean traced) {

    public BatchCommittable {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(partition, "partition");
        Objects.requireNonNull(range, "range");
        elements = List.copyOf(elements);
        sequences = List.copyOf(sequences);
        if (elements.size() != sequences.size()) {
            throw new IllegalArgumentException(
                    id + ": " + elements.size() + " elements but " + sequences.size() + " origins");
        }
    }

    public Batch<T> toBatch() {
        return new Batch<>(id, partition, range, elements, null);
    }

    @Override
    public String toString() {
        return "BatchCommittable{" + id + ", " + elements.size() + " elements}";
    }
}
