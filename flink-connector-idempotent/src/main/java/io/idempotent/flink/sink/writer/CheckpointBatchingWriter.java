package io.idempotent.flink.sink.writer;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.sink.committer.BatchCommittable;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.metrics.Counter;

/**
 * Collects everything between two checkpoint barriers into one batch per subtask, for pipelines
 * that lose the origin (an aggregation after keyBy) or redistribute records. The identity is {@code
 * <sink>/<subtask>/<incarnation>/<n>}: the incarnation is new every time the writer starts, so that
 * no batch of a restored job, nor of a job restored from an older savepoint (where Flink reuses
 * checkpoint ids), can carry the identity of a different batch. A batch keeps its identity in
 * Flink's state until it is committed, so a re-send after a failure carries the same one.
 */
@Internal
public final class CheckpointBatchingWriter<T>
        implements CommittingSinkWriter<T, BatchCommittable<T>> {

    private final String sinkName;
    private final int subtask;
    private final String incarnation = UUID.randomUUID().toString().replace("-", "");
    private final Counter recordsSent;
    private List<T> elements = new ArrayList<>();
    private long batches;

    public CheckpointBatchingWriter(String sinkName, int subtask, Counter recordsSent) {
        this.sinkName = sinkName;
        this.subtask = subtask;
        this.recordsSent = recordsSent;
    }

    @Override
    public void write(T element, Context context) {
        elements.add(element);
        recordsSent.inc();
    }

    @Override
    public Collection<BatchCommittable<T>> prepareCommit() {
        if (elements.isEmpty()) {
            return List.of();
        }
        long number = batches++;
        StreamPartition partition =
                new StreamPartition("sink:" + sinkName, subtask + "-" + incarnation);
        BatchId id = BatchId.of(partition, SequenceRange.of(number, number));
        List<Long> sequences = new ArrayList<>(elements.size());
        for (int i = 0; i < elements.size(); i++) {
            sequences.add(number);
        }
        BatchCommittable<T> committable =
                new BatchCommittable<>(
                        id,
                        partition,
                        SequenceRange.of(number, number),
                        elements,
                        sequences,
                        false);
        elements = new ArrayList<>();
        return List.of(committable);
    }

    @Override
    public void flush(boolean endOfInput) {}

    @Override
    public void close() {}
}
