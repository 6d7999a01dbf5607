package io.idempotent.flink.protocol;

import io.idempotent.flink.checkpoint.CheckpointConflictException;
import io.idempotent.flink.checkpoint.CheckpointTransition;
import io.idempotent.flink.checkpoint.PartitionCheckpoint;
import io.idempotent.flink.checkpoint.PartitionCheckpointStore;
import io.idempotent.flink.checkpoint.PendingCheckpoint;
import io.idempotent.flink.destination.Batch;
import io.idempotent.flink.destination.IdempotentDestination;
import io.idempotent.flink.destination.SendOutcome;
import io.idempotent.flink.stream.StreamPartition;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.function.ToLongFunction;
import org.apache.flink.annotation.PublicEvolving;

/**
 * The heart of the protocol: takes batches through <em>mark pending → send → commit</em>.
 *
 * <p>For each batch, in order per partition:
 *
 * <ol>
 *   <li>if the store shows its range committed, it is acknowledged without a send;
 *   <li>if the store shows it pending under the same identity (an earlier attempt failed), it is
 *       re-sent without a new mark;
 *   <li>otherwise its range is marked pending, durably, before anything is sent;
 *   <li>it is sent under its identity; the destination drops it if it is a repeat;
 *   <li>its range is committed and the pending mark cleared.
 * </ol>
 *
 * <p>Batches of different partitions share store writes: one write marks a round of batches (one
 * per partition) pending together with the commits of the round before, so a call costs one store
 * write per round plus one. Nothing here knows what triggers a delivery (a Flink checkpoint, a full
 * buffer) or which thread runs it; calls must not overlap for the same partition.
 */
@PublicEvolving
public final class BatchDelivery<T> {

    private final PartitionCheckpointStore store;
    private final IdempotentDestination<T> destination;
    private final DeliveryListener listener;

    public BatchDelivery(PartitionCheckpointStore store, IdempotentDestination<T> destination) {
        this(store, destination, DeliveryListener.NONE);
    }

    public BatchDelivery(
            PartitionCheckpointStore store,
            IdempotentDestination<T> destination,
            DeliveryListener listener) {
        this.store = Objects.requireNonNull(store, "store");
        this.destination = Objects.requireNonNull(destination, "destination");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /**
     * Delivers {@code batches} for partitions owned at the epochs {@code epochOf} gives.
     *
     * @throws io.idempotent.flink.checkpoint.FencedException if another owner took a partition
     * @throws CheckpointConflictException if a batch does not fit its partition's checkpoint
     * @throws DeliveryException if a send failed; what was marked pending stays pending
     */
    public DeliveryReport deliver(List<Batch<T>> batches, ToLongFunction<StreamPartition> epochOf) {
        return deliver(batches, epochOf, Map.of());
    }

    /**
     * As {@link #deliver(List, ToLongFunction)}, starting from checkpoints the caller has just
     * loaded (after acquiring the partitions), so that they are not read from the store again.
     */
    public DeliveryReport deliver(
            List<Batch<T>> batches,
            ToLongFunction<StreamPartition> epochOf,
            Map<StreamPartition, PartitionCheckpoint> loaded) {
        Delivered delivered = deliverRounds(batches, epochOf, new HashMap<>(loaded), List.of());
        return delivered.report().plus(write(delivered.unwrittenCommits()));
    }

    /**
     * Delivers {@code batches} in rounds and leaves the last round's commits unwritten: the caller
     * writes them, or carries them into its next call as {@code carried}, which the first write of
     * this call makes together with its marks. {@code known} holds the checkpoints as the caller
     * sees them and is updated to what they are once the returned commits are written.
     */
    Delivered deliverRounds(
            List<Batch<T>> batches,
            ToLongFunction<StreamPartition> epochOf,
            Map<StreamPartition, PartitionCheckpoint> known,
            List<CheckpointTransition> carried) {
        Map<StreamPartition, Queue<Batch<T>>> queues = new LinkedHashMap<>();
        for (Batch<T> batch : batches) {
            queues.computeIfAbsent(batch.partition(), p -> new ArrayDeque<>()).add(batch);
        }
        List<CheckpointTransition> carriedCommits = carried;
        DeliveryReport report = DeliveryReport.NONE;
        while (!queues.isEmpty()) {
            // One round: the next batch of every partition, marked in one write together with
            // the commits of the round before.
            List<CheckpointTransition> writes = new ArrayList<>(carriedCommits);
            List<CheckpointTransition> commits = new ArrayList<>();
            List<Batch<T>> toSend = new ArrayList<>();
            // By identity: batches are values, and comparing their elements costs.
            Set<Batch<T>> resends = Collections.newSetFromMap(new IdentityHashMap<>());
            long alreadyCommitted = 0;
            for (var iterator = queues.values().iterator(); iterator.hasNext(); ) {
                Queue<Batch<T>> queue = iterator.next();
                Batch<T> batch = queue.remove();
                if (queue.isEmpty()) {
                    iterator.remove();
                }
                StreamPartition partition = batch.partition();
                long epoch = epochOf.applyAsLong(partition);
                PartitionCheckpoint checkpoint = known.computeIfAbsent(partition, store::load);
                switch (classify(batch, checkpoint)) {
                    case COMMITTED:
                        alreadyCommitted++;
                        listener.alreadyCommitted(batch);
                        continue;
                    case PENDING:
                        Batch<T> resend = batch.at(checkpoint.pending().location());
                        resends.add(resend);
                        toSend.add(resend);
                        break;
                    case NEW:
                        PendingCheckpoint pending =
                                new PendingCheckpoint(
                                        batch.range(),
                                        batch.id(),
                                        destination.plannedLocation(batch.id()));
                        writes.add(CheckpointTransition.markPending(partition, epoch, pending));
                        toSend.add(batch.at(pending.location()));
                        break;
                }
                commits.add(CheckpointTransition.commit(partition, epoch, batch.range()));
            }
            report = report.plus(write(writes)).plus(send(toSend, resends, alreadyCommitted));
            for (Batch<T> sent : toSend) {
                PartitionCheckpoint before = known.get(sent.partition());
                known.put(
                        sent.partition(),
                        new PartitionCheckpoint(before.epoch(), sent.range().to(), null));
            }
            carriedCommits = commits;
        }
        return new Delivered(report, carriedCommits);
    }

    /** What {@link #deliverRounds} did, and the commits it left for the caller to write. */
    record Delivered(DeliveryReport report, List<CheckpointTransition> unwrittenCommits) {}

    DeliveryReport write(List<CheckpointTransition> transitions) {
        if (transitions.isEmpty()) {
            return DeliveryReport.NONE;
        }
        long started = System.nanoTime();
        store.apply(transitions);
        listener.storeWritten(System.nanoTime() - started);
        for (CheckpointTransition transition : transitions) {
            if (transition instanceof CheckpointTransition.Commit commit) {
                listener.committed(commit.partition(), commit.range().to());
            } else if (transition instanceof CheckpointTransition.MarkPending mark) {
                listener.markedPending(mark.partition(), mark.pending());
            }
        }
        return new DeliveryReport(0, 0, 0, 0, 0, 1);
    }

    private DeliveryReport send(
            List<Batch<T>> toSend, Set<Batch<T>> resends, long alreadyCommitted) {
        long repeats = 0;
        long elements = 0;
        for (Batch<T> batch : toSend) {
            SendOutcome outcome;
            try {
                outcome = destination.send(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DeliveryException(
                        batch.partition(),
                        batch.range(),
                        "interrupted while sending " + batch.id(),
                        e);
            } catch (Exception e) {
                throw new DeliveryException(
                        batch.partition(),
                        batch.range(),
                        "sending "
                                + batch.id()
                                + " failed; it stays pending and is re-sent under the same"
                                + " identity by the partition's next owner",
                        e);
            }
            if (outcome == SendOutcome.REPEAT_DROPPED) {
                repeats++;
            }
            elements += batch.elements().size();
            listener.sent(batch, outcome, resends.contains(batch));
        }
        return new DeliveryReport(
                toSend.size(), repeats, alreadyCommitted, resends.size(), elements, 0);
    }

    private static Decision classify(Batch<?> batch, PartitionCheckpoint checkpoint) {
        if (checkpoint.committed() >= batch.range().to()) {
            return Decision.COMMITTED;
        }
        PendingCheckpoint pending = checkpoint.pending();
        if (pending != null) {
            if (pending.batchId().equals(batch.id()) && pending.range().equals(batch.range())) {
                return Decision.PENDING;
            }
            throw new CheckpointConflictException(
                    batch.partition(),
                    String.format(
                            "batch %s does not match the pending checkpoint %s; the pending range"
                                    + " must be replayed first.",
                            batch.id(), pending));
        }
        if (checkpoint.committed() >= batch.range().from()) {
            throw new CheckpointConflictException(
                    batch.partition(),
                    String.format(
                            "batch %s overlaps the committed position %d.",
                            batch.id(), checkpoint.committed()));
        }
        return Decision.NEW;
    }

    private enum Decision {
        COMMITTED,
        PENDING,
        NEW
    }
}
