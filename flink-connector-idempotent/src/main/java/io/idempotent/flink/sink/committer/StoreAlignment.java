package io.idempotent.flink.sink.committer;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.checkpoint.CheckpointConflictException;
import io.idempotent.flink.checkpoint.PartitionCheckpoint;
import io.idempotent.flink.checkpoint.PendingCheckpoint;
import io.idempotent.flink.destination.Batch;
import io.idempotent.flink.stream.SequenceRange;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.annotation.Internal;

/**
 * Fits a committable to what the store already holds. Normally a no-op. After a restore from an
 * <em>older</em> savepoint, the job re-reads records whose batches were committed by the run that
 * went on from that savepoint, and cuts them into batches with other boundaries: the elements of
 * already committed sequence numbers are dropped (processing is deterministic, so they are the ones
 * the destination has), and the rest forms a batch of its own range, so that new data is never
 * taken for a repeat.
 */
@Internal
final class StoreAlignment {

    private StoreAlignment() {}

    /** The batch to deliver for {@code committable}, or {@code null} if nothing is left of it. */
    static <T> Batch<T> align(BatchCommittable<T> committable, PartitionCheckpoint checkpoint) {
        SequenceRange range = committable.range();
        long committed = checkpoint.committed();
        PendingCheckpoint pending = checkpoint.pending();
        boolean isThePending =
                pending != null
                        && pending.batchId().equals(committable.id())
                        && pending.range().equals(range);
        if (range.to() <= committed || isThePending) {
            // Acknowledged as committed, or re-sent under its identity, by the protocol.
            return committable.toBatch();
        }
        if (range.from() > committed && (pending == null || range.from() > pending.range().to())) {
            return committable.toBatch();
        }
        if (pending != null) {
            throw new CheckpointConflictException(
                    committable.partition(),
                    String.format(
                            "batch %s overlaps the pending checkpoint %s, which a later run left"
                                    + " (a restore from an older savepoint?). Start a job from the"
                                    + " checkpoint store without Flink state once, so that it"
                                    + " re-sends the pending range, then restore.",
                            committable.id(), pending));
        }
        List<T> elements = new ArrayList<>();
        long first = -1;
        for (int i = 0; i < committable.elements().size(); i++) {
            long sequence = committable.sequences().get(i);
            if (sequence > committed) {
                first = first < 0 ? sequence : first;
                elements.add(committable.elements().get(i));
            }
        }
        if (elements.isEmpty()) {
            return null;
        }
        SequenceRange rest = SequenceRange.of(first, range.to());
        return new Batch<>(
                BatchId.of(committable.partition(), rest),
                committable.partition(),
                rest,
                elements,
                null);
    }
}
