package io.idempotent.flink.checkpoint;

import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.apache.flink.annotation.Internal;

/**
 * A compare-and-set change to one partition's checkpoint, made by the owner of an epoch. The rules
 * live here, once, and every store applies them to what it has read under its lock or transaction.
 */
@Internal
public sealed interface CheckpointTransition {

    StreamPartition partition();

    long epoch();

    /**
     * The checkpoint after this transition.
     *
     * @throws FencedException if {@link #epoch()} is not the current one
     * @throws CheckpointConflictException if the transition does not fit the checkpoint
     */
    PartitionCheckpoint applyTo(PartitionCheckpoint current);

    /** The same change to the checkpoint stored under {@code key} (a sink's scope, say). */
    CheckpointTransition withPartition(StreamPartition key);

    static MarkPending markPending(
            StreamPartition partition, long epoch, PendingCheckpoint pending) {
        return new MarkPending(partition, epoch, pending);
    }

    static Commit commit(StreamPartition partition, long epoch, SequenceRange range) {
        return new Commit(partition, epoch, range);
    }

    static Reset reset(StreamPartition partition, long epoch, long committed) {
        return new Reset(partition, epoch, committed);
    }

    /**
     * Applies {@code transitions} in order to checkpoints read through {@code reader} (once per
     * partition) and returns the new checkpoint of every partition touched, in first-touch order.
     * All or nothing: the first refusal throws and nothing is returned.
     */
    static Map<StreamPartition, PartitionCheckpoint> applyAll(
            List<? extends CheckpointTransition> transitions,
            Function<StreamPartition, PartitionCheckpoint> reader) {
        Map<StreamPartition, PartitionCheckpoint> updated = new LinkedHashMap<>();
        for (CheckpointTransition transition : transitions) {
            PartitionCheckpoint current = updated.computeIfAbsent(transition.partition(), reader);
            updated.put(transition.partition(), transition.applyTo(current));
        }
        return updated;
    }

    /** Records {@code pending} as the range about to be sent. */
    record MarkPending(StreamPartition partition, long epoch, PendingCheckpoint pending)
            implements CheckpointTransition {

        public MarkPending {
            Objects.requireNonNull(partition, "partition");
            Objects.requireNonNull(pending, "pending");
        }

        @Override
        public PartitionCheckpoint applyTo(PartitionCheckpoint current) {
            checkEpoch(partition, epoch, current);
            if (current.pending() != null) {
                throw new CheckpointConflictException(
                        partition,
                        String.format(
                                "cannot mark %s pending while %s is pending; the pending range"
                                        + " must be re-sent and committed first.",
                                pending, current.pending()));
            }
            if (pending.range().from() <= current.committed()) {
                throw new CheckpointConflictException(
                        partition,
                        String.format(
                                "cannot mark %s pending: it overlaps the committed position %d.",
                                pending.range(), current.committed()));
            }
            return new PartitionCheckpoint(current.epoch(), current.committed(), pending);
        }

        @Override
        public MarkPending withPartition(StreamPartition key) {
            return new MarkPending(key, epoch, pending);
        }
    }

    /** Records that the pending {@code range} was delivered: clears it, advances the position. */
    record Commit(StreamPartition partition, long epoch, SequenceRange range)
            implements CheckpointTransition {

        public Commit {
            Objects.requireNonNull(partition, "partition");
            Objects.requireNonNull(range, "range");
        }

        @Override
        public PartitionCheckpoint applyTo(PartitionCheckpoint current) {
            checkEpoch(partition, epoch, current);
            if (current.pending() == null || !current.pending().range().equals(range)) {
                throw new CheckpointConflictException(
                        partition,
                        String.format(
                                "cannot commit %s: the pending checkpoint is %s.",
                                range, current.pending() == null ? "none" : current.pending()));
            }
            return new PartitionCheckpoint(current.epoch(), range.to(), null);
        }

        @Override
        public Commit withPartition(StreamPartition key) {
            return new Commit(key, epoch, range);
        }
    }

    /**
     * Sets the committed position to {@code committed} and drops the pending range, whatever they
     * were: an operator's decision to start a partition afresh (after its stream lost records or
     * was created again), taken through the command-line tool, never by the protocol. What it
     * discards is not delivered again unless the stream still holds it beyond {@code committed}.
     */
    record Reset(StreamPartition partition, long epoch, long committed)
            implements CheckpointTransition {

        public Reset {
            Objects.requireNonNull(partition, "partition");
            if (committed < PartitionCheckpoint.NOTHING_COMMITTED) {
                throw new IllegalArgumentException("Bad committed position " + committed);
            }
        }

        @Override
        public PartitionCheckpoint applyTo(PartitionCheckpoint current) {
            checkEpoch(partition, epoch, current);
            return new PartitionCheckpoint(current.epoch(), committed, null);
        }

        @Override
        public Reset withPartition(StreamPartition key) {
            return new Reset(key, epoch, committed);
        }
    }

    private static void checkEpoch(
            StreamPartition partition, long epoch, PartitionCheckpoint current) {
        if (epoch != current.epoch() || epoch == 0) {
            throw new FencedException(partition, epoch, current.epoch());
        }
    }
}
