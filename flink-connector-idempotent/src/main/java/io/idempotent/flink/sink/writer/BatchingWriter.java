package io.idempotent.flink.sink.writer;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.checkpoint.PendingCheckpoint;
import io.idempotent.flink.sink.committer.BatchCommittable;
import io.idempotent.flink.source.Origin;
import io.idempotent.flink.source.Traced;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.FlinkRuntimeException;

/**
 * Groups the elements of each partition between two checkpoint barriers into one batch whose
 * identity is derived from its origin range; at the barrier the batches become committables.
 * Elements of a replayed pending range form exactly that pending batch, under its identity.
 *
 * <p>Needs every element of a partition to reach this subtask in order: a pipeline that
 * redistributes records between source and sink is refused with an error, never served wrongly.
 */
@Internal
public final class BatchingWriter<T>
        implements CommittingSinkWriter<Traced<T>, BatchCommittable<T>> {

    private final int subtask;
    private final Counter recordsSent;
    private final Map<StreamPartition, OpenBatch<T>> open = new LinkedHashMap<>();
    private final List<BatchCommittable<T>> closed = new ArrayList<>();

    public BatchingWriter(int subtask, Counter recordsSent) {
        this.subtask = subtask;
        this.recordsSent = recordsSent;
    }

    @Override
    public void write(Traced<T> element, Context context) {
        Origin origin = element.origin();
        if (origin.readerSubtask() != subtask) {
            throw new FlinkRuntimeException(
                    String.format(
                            "Sink subtask %d received a record of %s/%s read by source subtask %d:"
                                    + " the pipeline redistributes records (keyBy, rebalance, or"
                                    + " another parallelism than the source's) between the source"
                                    + " and this sink. Origin identities need each partition's"
                                    + " records in one sink subtask, in order: keep the sink"
                                    + " chained to the source at the same parallelism, or build"
                                    + " the sink with buildForUntracedElements(name) (checkpoint"
                                    + " identities).",
                            subtask, origin.stream(), origin.partition(), origin.readerSubtask()));
        }
        StreamPartition partition = new StreamPartition(origin.stream(), origin.partition());
        OpenBatch<T> batch = open.get(partition);
        if (batch != null && !batch.accepts(origin)) {
            if (batch.replaying == null
                    && origin.replaying() == null
                    && origin.sequence() < batch.last) {
                throw new FlinkRuntimeException(
                        String.format(
                                "Records of partition %s reach sink subtask %d out of order"
                                        + " (sequence %d after %d). Batches are formed per"
                                        + " partition from the source's order, so no keyBy,"
                                        + " rebalance or other redistribution may sit between"
                                        + " the source and this sink.",
                                partition, subtask, origin.sequence(), batch.last));
            }
            closed.add(batch.close());
            batch = null;
        }
        if (batch == null) {
            batch = new OpenBatch<>(partition, origin.sequence(), origin.replaying());
            open.put(partition, batch);
        }
        batch.add(element.value(), origin.sequence());
        recordsSent.inc();
    }

    @Override
    public Collection<BatchCommittable<T>> prepareCommit() {
        for (OpenBatch<T> batch : open.values()) {
            closed.add(batch.close());
        }
        open.clear();
        List<BatchCommittable<T>> committables = new ArrayList<>(closed);
        closed.clear();
        return committables;
    }

    @Override
    public void flush(boolean endOfInput) {}

    @Override
    public void close() {}

    /** The elements of one partition since the last barrier. */
    private static final class OpenBatch<T> {
        final StreamPartition partition;
        final long first;
        @Nullable final PendingCheckpoint replaying;
        final List<T> elements = new ArrayList<>();
        final List<Long> sequences = new ArrayList<>();
        long last;

        OpenBatch(StreamPartition partition, long first, @Nullable PendingCheckpoint replaying) {
            this.partition = partition;
            this.first = first;
            this.last = first;
            this.replaying = replaying;
        }

        boolean accepts(Origin origin) {
            if (replaying != null || origin.replaying() != null) {
                return replaying != null && replaying.equals(origin.replaying());
            }
            return origin.sequence() >= last;
        }

        void add(T element, long sequence) {
            elements.add(element);
            sequences.add(sequence);
            last = sequence;
        }

        BatchCommittable<T> close() {
            if (replaying != null) {
                // The pending range, not what survived the user's filters, is the identity.
                return new BatchCommittable<>(
                        replaying.batchId(),
                        partition,
                        replaying.range(),
                        elements,
                        sequences,
                        true);
            }
            SequenceRange range = SequenceRange.of(first, last);
            return new BatchCommittable<>(
                    BatchId.of(partition, range), partition, range, elements, sequences, true);
        }
    }
}
