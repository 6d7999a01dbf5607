package io.idempotent.flink.sink.aligned;

import io.idempotent.flink.sink.BatchLimit;
import io.idempotent.flink.sink.ElementSizer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.metrics.Counter;

/**
 * Collects everything between two checkpoint barriers into one batch per subtask, for pipelines
 * that lose the origin (an aggregation after keyBy) or redistribute records, each batch under a
 * {@link CheckpointBatchId}. A batch keeps its identity in Flink's state until it is committed, so
 * a re-send after a failure carries the same one.
 */
@Internal
public final class CheckpointBatchingWriter<T>
        implements CommittingSinkWriter<T, BatchCommittable<T>> {

    private final String sinkName;
    private final int subtask;
    private final String incarnation = UUID.randomUUID().toString().replace("-", "");
    private final Counter recordsSent;
    private final BatchLimit limit;
    private final ElementSizer<T> sizer;

    /** Batches filled since the last barrier, each at most {@code limit}. */
    private final List<List<T>> full = new ArrayList<>();

    private List<T> elements = new ArrayList<>();
    private long bytes;
    private long batches;

    public CheckpointBatchingWriter(
            String sinkName,
            int subtask,
            Counter recordsSent,
            BatchLimit limit,
            ElementSizer<T> sizer) {
        this.sinkName = sinkName;
        this.subtask = subtask;
        this.recordsSent = recordsSent;
        this.limit = limit;
        this.sizer = sizer;
    }

    @Override
    public void write(T element, Context context) {
        long size = limit.sizeOf(sizer, element);
        if (limit.isFull(elements.size(), bytes, size)) {
            full.add(elements);
            elements = new ArrayList<>();
            bytes = 0;
        }
        elements.add(element);
        bytes += size;
        recordsSent.inc();
    }

    /**
     * This barrier's batches, each under its own identity, kept in Flink's state until committed.
     */
    @Override
    public Collection<BatchCommittable<T>> prepareCommit() {
        if (!elements.isEmpty()) {
            full.add(elements);
            elements = new ArrayList<>();
            bytes = 0;
        }
        List<BatchCommittable<T>> committables = new ArrayList<>(full.size());
        for (List<T> batch : full) {
            committables.add(
                    new BatchCommittable<>(
                            new CheckpointBatchId(sinkName, subtask, incarnation, batches++),
                            batch));
        }
        full.clear();
        return committables;
    }

    @Override
    public void flush(boolean endOfInput) {}

    @Override
    public void close() {}
}
