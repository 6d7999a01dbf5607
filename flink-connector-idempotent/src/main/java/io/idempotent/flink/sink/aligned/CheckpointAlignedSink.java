package io.idempotent.flink.sink.aligned;

import io.idempotent.flink.sink.BatchLimit;
import io.idempotent.flink.sink.ElementSizer;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A two-phase sink for pipelines that lose the origin of their elements (an aggregation after
 * {@code keyBy}) or redistribute them between source and sink. Each subtask sends one batch per
 * checkpoint under a <em>checkpoint identity</em> ({@code sink/subtask/number/incarnation}), kept
 * in Flink's state until the checkpoint completes, so that a re-send after a failure carries the
 * same identity and the destination drops it. Exactly-once holds across failures and restores from
 * the latest checkpoint; a brand-new job cannot take over from the checkpoint store, and a restore
 * from an older savepoint delivers again what the destination received after it.
 *
 * <pre>{@code
 * CheckpointAlignedSink<Total> sink =
 *         CheckpointAlignedSink.<Total>builder()
 *                 .name("daily-totals")
 *                 .elementType(TypeInformation.of(Total.class))
 *                 .destination(JdbcDestination.<Total>builder()...buildFactory())
 *                 .build();
 * }</pre>
 */
@PublicEvolving
public final class CheckpointAlignedSink<T>
        implements Sink<T>, SupportsCommitter<BatchCommittable<T>> {

    private static final long serialVersionUID = 1L;

    private final String name;
    private final BatchLimit batchLimit;
    private final CommitSide<T> commitSide;

    CheckpointAlignedSink(String name, BatchLimit batchLimit, CommitSide<T> commitSide) {
        this.name = name;
        this.batchLimit = batchLimit;
        this.commitSide = commitSide;
    }

    public static <T> CheckpointAlignedSinkBuilder<T> builder() {
        return new CheckpointAlignedSinkBuilder<>();
    }

    @Override
    public CommittingSinkWriter<T, BatchCommittable<T>> createWriter(WriterInitContext context) {
        return new CheckpointBatchingWriter<>(
                name,
                context.getTaskInfo().getIndexOfThisSubtask(),
                context.metricGroup().getNumRecordsSendCounter(),
                batchLimit,
                new ElementSizer<>(context.<T>createInputSerializer()));
    }

    @Override
    public Committer<BatchCommittable<T>> createCommitter(CommitterInitContext context) {
        return commitSide.createCommitter(context);
    }

    @Override
    public SimpleVersionedSerializer<BatchCommittable<T>> getCommittableSerializer() {
        return commitSide.committableSerializer();
    }
}
