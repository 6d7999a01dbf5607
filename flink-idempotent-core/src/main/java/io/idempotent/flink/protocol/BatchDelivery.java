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
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;

/**
 * The protocol's one delivery engine: takes batches through <em>mark pending → send → commit</em>
 * for the partitions one owner holds, and is that owner's only map of them.
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
 * <p>One store write per call: the write that marks a call's batches pending (one per partition)
 * also commits the batches of the call before. The commit is deferred because it needs no
 * durability of its own: a delivered batch that is still pending when its owner stops is re-sent by
 * the next owner under its identity, and the destination drops the repeat. A second batch of one
 * partition in the same call costs one more write. {@link #commitDelivered()} writes the deferred
 * commits (at the end of the input, or when nothing new comes).
 *
 * <p>A partition is taken over ({@link #takeOver}: acquire, fencing its previous owner, then load);
 * from then on this object keeps its view of the partition's checkpoint (the store's, once the
 * deferred commits are written) and the caller's state {@code S} of the partition (what it reads
 * next, the batch it is filling). A failed delivery may leave that view and the deferred commits
 * stale (a round written, then a send failed), so it releases every partition: take them over
 * again, here or elsewhere; the store holds what was written.
 *
 * <p>Nothing here knows what triggers a delivery (a Flink checkpoint barrier, a timer, a full
 * buffer, a poll loop). Not thread-safe: one thread calls it.
 *
 * <pre>{@code
 * BatchDelivery<String, Long> delivery = new BatchDelivery<>(store, destination, listener);
 * delivery.takeOver(partition, checkpoint -> checkpoint.nextSequence()); // pending: replay it first
 * delivery.deliver(batches); // one store write, then the sends
 * delivery.commitDelivered(); // at the end
 * }</pre>
 *
 * @param <T> the elements the destination takes
 * @param <S> what the caller keeps per partition it owns
 */
@Internal
public final class BatchDelivery<T, S> {

    private final PartitionCheckpointStore store;
    private final IdempotentDestination<T> destination;
    private final DeliveryListener listener;

    /** Every partition taken over, in the order taken. */
    private final Map<StreamPartition, Owned<S>> owned = new LinkedHashMap<>();

    private List<CheckpointTransition> deferredCommits = List.of();

    /** A partition this object owns: its epoch, its checkpoint as seen here, the caller's state. */
    private static final class Owned<S> {
        final long epoch;
        PartitionCheckpoint view;
        final S state;

        Owned(long epoch, PartitionCheckpoint view, S state) {
            this.epoch = epoch;
            this.view = view;
            this.state = state;
        }
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
     * Makes this object the owner of {@code partition} (fencing its previous owner) and gives
     * {@code attach} the partition's checkpoint as the store holds it now: its committed position,
     * and the pending range that must be re-sent, exactly, before anything after it. What {@code
     * attach} returns is kept as the caller's state of the partition; if it throws, the partition
     * is not owned.
     */
    public S takeOver(StreamPartition partition, Function<PartitionCheckpoint, S> attach) {
        return takeOverAll(List.of(partition), (p, checkpoint) -> attach.apply(checkpoint))
                .get(partition);
    }

    /**
     * Takes {@code partitions} over as {@link #takeOver} does, all in one store write and one read,
     * however many they are; {@code attach} is called for each, in the order given. If it throws,
     * that partition and those after it are not owned.
     */
    public Map<StreamPartition, S> takeOverAll(
            Collection<StreamPartition> partitions,
            BiFunction<StreamPartition, PartitionCheckpoint, S> attach) {
        // Taking a partition over again (after an error) starts from what the store holds: a
        // deferred commit of the earlier epoch would be fenced, and its batch is re-sent instead.
        release(partitions);
        long started = System.nanoTime();
        Map<StreamPartition, Long> epochs = store.acquireAll(partitions);
        listener.storeWritten(System.nanoTime() - started);
        Map<StreamPartition, PartitionCheckpoint> checkpoints = store.loadAll(partitions);
        Map<StreamPartition, S> states = new LinkedHashMap<>();
        for (StreamPartition partition : partitions) {
            PartitionCheckpoint checkpoint = checkpoints.get(partition);
            S state = attach.apply(partition, checkpoint);
            owned.put(partition, new Owned<>(epochs.get(partition), checkpoint, state));
            states.put(partition, state);
        }
        return states;
    }

    /** Stops delivering for {@code partition}; what it has pending stays pending in the store. */
    public void release(StreamPartition partition) {
        release(List.of(partition));
    }

    private void release(Collection<StreamPartition> partitions) {
        Set<StreamPartition> released = new HashSet<>(partitions);
        owned.keySet().removeAll(released);
        if (!deferredCommits.isEmpty()) {
            List<CheckpointTransition> kept = new ArrayList<>(deferredCommits);
            kept.removeIf(commit -> released.contains(commit.partition()));
            deferredCommits = kept;
        }
    }

    public boolean owns(StreamPartition partition) {
        return owned.containsKey(partition);
    }

    /** The caller's state of {@code partition}, or {@code null} if it is not owned here. */
    @Nullable
    public S state(StreamPartition partition) {
        Owned<S> owner = owned.get(partition);
        return owner == null ? null : owner.state;
    }

    /** The caller's state of every partition owned here, in the order they were taken over. */
    public List<S> states() {
        List<S> states = new ArrayList<>(owned.size());
        for (Owned<S> owner : owned.values()) {
            states.add(owner.state);
        }
        return states;
    }

    /**
     * Delivers {@code batches} (of partitions taken over, in sequence order per partition): one
     * store write marks them pending and commits what the previous call delivered; then they are
     * sent; their own commits are deferred. With no batches, writes the deferred commits.
     *
     * @throws io.idempotent.flink.checkpoint.FencedException if another owner took a partition
     * @throws CheckpointConflictException if a batch does not fit its partition's checkpoint
     * @throws DeliveryException if a send failed; what was marked pending stays pending
     */
    public void deliver(List<Batch<T>> batches) {
        if (batches.isEmpty()) {
            commitDelivered();
            return;
        }
        for (Batch<T> batch : batches) {
            if (!owns(batch.partition())) {
                throw new IllegalStateException(
                        "Batch " + batch.id() + " is of a partition not taken over.");
            }
        }
        try {
            deliverRounds(batches);
        } catch (RuntimeException e) {
            releaseAll();
            throw e;
        }
    }

    /** Writes the commits deferred by the last {@link #deliver}, if any. */
    public void commitDelivered() {
        try {
            write(deferredCommits);
            deferredCommits = List.of();
        } catch (RuntimeException e) {
            releaseAll();
            throw e;
        }
    }

    /** Whether some delivered batches are still pending in the store. */
    public boolean hasDeferredCommits() {
        return !deferredCommits.isEmpty();
    }

    private void releaseAll() {
        owned.clear();
        deferredCommits = List.of();
    }

    /**
     * Delivers {@code batches} in rounds (the next batch of every partition), each marked in one
     * write together with the commits of the round before; the last round's commits are deferred.
     */
    private void deliverRounds(List<Batch<T>> batches) {
        Map<StreamPartition, Queue<Batch<T>>> queues = new LinkedHashMap<>();
        for (Batch<T> batch : batches) {
            queues.computeIfAbsent(batch.partition(), p -> new ArrayDeque<>()).add(batch);
        }
        while (!queues.isEmpty()) {
            List<CheckpointTransition> writes = new ArrayList<>(deferredCommits);
            List<CheckpointTransition> commits = new ArrayList<>();
            List<Batch<T>> toSend = new ArrayList<>();
            // By identity: batches are values, and comparing their elements costs.
            Set<Batch<T>> resends = Collections.newSetFromMap(new IdentityHashMap<>());
            for (var iterator = queues.values().iterator(); iterator.hasNext(); ) {
                Queue<Batch<T>> queue = iterator.next();
                Batch<T> batch = queue.remove();
                if (queue.isEmpty()) {
                    iterator.remove();
                }
                StreamPartition partition = batch.partition();
                Owned<S> owner = owned.get(partition);
                PartitionCheckpoint checkpoint = owner.view;
                switch (classify(batch, checkpoint)) {
                    case COMMITTED:
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
                        writes.add(
                                CheckpointTransition.markPending(partition, owner.epoch, pending));
                        toSend.add(batch.at(pending.location()));
                        break;
                }
                commits.add(CheckpointTransition.commit(partition, owner.epoch, batch.range()));
            }
            write(writes);
            send(toSend, resends);
            for (Batch<T> sent : toSend) {
                Owned<S> owner = owned.get(sent.partition());
                owner.view = new PartitionCheckpoint(owner.view.epoch(), sent.range().to(), null);
            }
            deferredCommits = commits;
        }
    }

    private void write(List<CheckpointTransition> transitions) {
        if (transitions.isEmpty()) {
            return;
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
    }

    private void send(List<Batch<T>> toSend, Set<Batch<T>> resends) {
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
            listener.sent(batch, outcome, resends.contains(batch));
        }
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
