package io.idempotent.flink.destination;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import java.util.List;
import java.util.Objects;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;

/**
 * What a destination receives in one send: the elements produced from one range of one partition,
 * and the identity that makes a repeat of this send recognisable.
 *
 * @param id the identity; the same identity always stands for the same elements
 * @param partition the partition the elements come from
 * @param range the sequence numbers of the first and last source record
 * @param elements the elements, in source order
 * @param location where the destination said in advance that it would write the batch, if it did
 */
@PublicEvolving
public record Batch<T>(
        BatchId id,
        StreamPartition partition,
        SequenceRange range,
        List<T> elements,
        @Nullable String location) {

    public Batch {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(partition, "partition");
        Objects.requireNonNull(range, "range");
        elements = List.copyOf(elements);
    }

    /** The batch of {@code range} under its derived identity. */
    public static <T> Batch<T> of(
            StreamPartition partition, SequenceRange range, List<T> elements) {
        return new Batch<>(BatchId.of(partition, range), partition, range, elements, null);
    }

    /** The batch that sink {@code sink} sends for {@code range}, under its derived identity. */
    public static <T> Batch<T> of(
            String sink, StreamPartition partition, SequenceRange range, List<T> elements) {
        return new Batch<>(BatchId.of(sink, partition, range), partition, range, elements, null);
    }

    public Batch<T> at(@Nullable String newLocation) {
        return new Batch<>(id, partition, range, elements, newLocation);
    }

    @Override
    public String toString() {
        return "Batch{" + id + ", " + elements.size() + " elements}";
    }
}
