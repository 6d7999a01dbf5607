package io.idempotent.flink.sink.aligned;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import java.util.Objects;
import org.apache.flink.annotation.Internal;

/**
 * The identity of a batch of the checkpoint-aligned sink: the sink's name, the writer's subtask,
 * the writer's incarnation (new every time it starts, so that no batch of a restored job, nor of a
 * job restored from an older savepoint where Flink reuses checkpoint ids, carries the identity of
 * another batch) and the batch's number in that incarnation.
 *
 * <p>Destinations lay batches out by stream partition and range, so the identity reaches them as
 * the partition {@code sink:<sink>} / {@code <subtask>-<incarnation>} and the range {@code n-n}:
 * {@link #batchId()} is {@code sink:<sink>/<subtask>-<incarnation>/<n>-<n>} (percent-encoded), the
 * same text every version of this library has sent, so that a batch re-sent after an upgrade is
 * dropped as the repeat it is.
 */
@Internal
public record CheckpointBatchId(String sink, int subtask, String incarnation, long number) {

    private static final String PREFIX = "sink:";

    public CheckpointBatchId {
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(incarnation, "incarnation");
        if (subtask < 0 || number < 0) {
            throw new IllegalArgumentException(
                    "A checkpoint batch needs a subtask and a number of at least 0, not "
                            + subtask
                            + " and "
                            + number);
        }
    }

    /** The identity as a batch of a stream partition, to read a committable of version 1. */
    static CheckpointBatchId of(StreamPartition partition, SequenceRange range) {
        int dash = partition.partition().indexOf('-');
        if (!partition.stream().startsWith(PREFIX) || dash < 1 || range.from() != range.to()) {
            throw new IllegalArgumentException(
                    "Not a batch of the checkpoint-aligned sink: " + partition + " " + range);
        }
        return new CheckpointBatchId(
                partition.stream().substring(PREFIX.length()),
                Integer.parseInt(partition.partition().substring(0, dash)),
                partition.partition().substring(dash + 1),
                range.from());
    }

    /** How destinations see the writer incarnation: as a partition. */
    public StreamPartition partition() {
        return new StreamPartition(PREFIX + sink, subtask + "-" + incarnation);
    }

    /** How destinations see the batch's number: as a range of one. */
    public SequenceRange range() {
        return SequenceRange.of(number, number);
    }

    /** The identity the destination keeps. */
    public BatchId batchId() {
        return BatchId.of(partition(), range());
    }

    @Override
    public String toString() {
        return batchId().toString();
    }
}
