package io.idempotent.flink.sink;

import io.idempotent.flink.destination.IdempotentDestination;
import io.idempotent.flink.sink.committer.BatchCommittable;
import io.idempotent.flink.sink.writer.BatchingWriter;
import io.idempotent.flink.source.Traced;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A two-phase sink that delivers {@link Traced} elements exactly once into an {@link
 * IdempotentDestination}. The writer forms one batch per partition and checkpoint, identified by
 * its origin range; when the checkpoint completes, the committer marks each batch pending in the
 * partition checkpoint store, sends it, and commits it. After a failure the restored batches are
 * re-sent under the same identity and the destination drops what it already has.
 *
 * <pre>{@code
 * IdempotentSink<String> sink =
 *         IdempotentSink.<String>builder()
 *                 .elementType(Types.STRING)
 *                 .destination(FileDestination.factory(Path.of("/data/out"), s -> s.getBytes(UTF_8)))
 *                 .checkpointStore(RocksDbCheckpointStore.factory(dir, WriteDurability.SYNCED))
 *                 .build();
 * }</pre>
 *
 * @see IdempotentSinkBuilder
 */
@PublicEvolving
public final class IdempotentSink<T>
        implements Sink<Traced<T>>, SupportsCommitter<BatchCommittable<T>> {

    private static final long serialVersionUID = 1L;

    private final CommitSide<T> commitSide;

    IdempotentSink(CommitSide<T> commitSide) {
        this.commitSide = commitSide;
    }

    public static <T> IdempotentSinkBuilder<T> builder() {
        return new IdempotentSinkBuilder<>();
    }

    @Override
    public CommittingSinkWriter<Traced<T>, BatchCommittable<T>> createWriter(
            WriterInitContext context) {
        return new BatchingWriter<>(
                context.getTaskInfo().getIndexOfThisSubtask(),
                context.metricGroup().getNumRecordsSendCounter());
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
