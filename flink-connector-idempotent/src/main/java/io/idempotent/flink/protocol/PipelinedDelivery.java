package io.idempotent.flink.protocol;

import io.idempotent.flink.checkpoint.CheckpointTransition;
import io.idempotent.flink.checkpoint.PartitionCheckpoint;
import io.idempotent.flink.checkpoint.PartitionCheckpointStore;
import io.idempotent.flink.destination.Batch;
import io.idempotent.flink.destination.IdempotentDestination;
import io.idempotent.flink.stream.StreamPartition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Delivers batch after batch for the partitions one owner holds, with one store write per call: the
 * write that marks a call's batches pending also commits the batches of the call before. The commit
 * is deferred because it needs no durability of its own: a delivered batch that is still pending
 * when its owner stops is re-sent by the next owner under its identity, and the destination drops
 * the repeat. {@link #commitDelivered()} writes the deferred commits (at the end of the input, or
 * when nothing new comes).
 *
 * <p>A partition is taken over ({@link #takeOver}: acquire, then load), and from then on this
 * object keeps its view of the partition's checkpoint, which is the store's once the deferred
 * commits are written. A failed delivery may leave that view and the deferred commits stale (a
 * round written, then a send failed), so it releases every partition: take them over again, here or
 * elsewhere; the store holds what was written. Not thread-safe.
 *
 * <pre>{@code
 * PipelinedDelivery<String> delivery = new PipelinedDelivery<>(store, destination, listener);
 * PartitionCheckpoint checkpoint = delivery.takeOver(partition); // committed, pending to replay
 * delivery.deliver(batches); // one store write, then the sends
 * delivery.commitDelivered(); // at the end
 * }</pre>
 */
@PublicEvolving
public final class PipelinedDelivery<T> {

    private final PartitionCheckpointStore store;
    private final BatchDelivery<T> delivery;
    private final DeliveryListener listener;
    private final Map<StreamPartition, Long> epochs = new HashMap<>();
    private final Map<StreamPartition, PartitionCheckpoint> views = new HashMap<>();
    private List<CheckpointTransition> deferredCommits = List.of();

    public PipelinedDelivery(
            PartitionCheckpointStore store,
            IdempotentDestination<T> destination,
            DeliveryListener listener) {
        this.store = Objects.requireNonNull(store, "store");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.delivery = new BatchDelivery<>(store, destination, listener);
    }

    /**
     * Makes this object the owner of {@code partition} (fencing its previous owner) and returns the
     * partition's checkpoint as the store holds it now: its committed position, and the pending
     * range that must be re-sent, exactly, before anything after it.
     */
    public PartitionCheckpoint takeOver(StreamPartition partition) {
        // Taking a partition over again (after an error) starts from what the store holds: a
        // deferred commit of the earlier epoch would be fenced, and its batch is re-sent instead.
        release(partition);
        long started = System.nanoTime();
        long epoch = store.acquire(partition);
        listener.storeWritten(System.nanoTime() - started);
        PartitionCheckpoint checkpoint = store.load(partition);
        epochs.put(partition, epoch);
        views.put(partition, checkpoint);
        return checkpoint;
    }

    /** Stops delivering for {@code partition}; what it has pending stays pending in the store. */
    public void release(StreamPartition partition) {
        epochs.remove(partition);
        views.remove(partition);
        if (!deferredCommits.isEmpty()) {
            List<CheckpointTransition> kept = new ArrayList<>(deferredCommits);
            kept.removeIf(commit -> commit.partition().equals(partition));
            deferredCommits = kept;
        }
    }

    public boolean owns(StreamPartition partition) {
        return epochs.containsKey(partition);
    }

    /**
     * Delivers {@code batches} (of partitions taken over, in sequence order per partition): one
     * store write marks them pending and commits what the previous call delivered; then they are
     * sent; their own commits are deferred. A second batch of one partition in the same call costs
     * one more write (see {@link BatchDelivery}). With no batches, writes the deferred commits.
     */
    public DeliveryReport deliver(List<Batch<T>> batches) {
        if (batches.isEmpty()) {
            return commitDelivered();
        }
        for (Batch<T> batch : batches) {
            if (!owns(batch.partition())) {
                throw new IllegalStateException(
                        "Batch " + batch.id() + " is of a partition not taken over.");
            }
        }
        try {
            BatchDelivery.Delivered delivered =
                    delivery.deliverRounds(batches, epochs::get, views, deferredCommits);
            deferredCommits = delivered.unwrittenCommits();
            return delivered.report();
        } catch (RuntimeException e) {
            releaseAll();
            throw e;
        }
    }

    /** Writes the commits deferred by the last {@link #deliver}, if any. */
    public DeliveryReport commitDelivered() {
        try {
            DeliveryReport report = delivery.write(deferredCommits);
            deferredCommits = List.of();
            return report;
        } catch (RuntimeException e) {
            releaseAll();
            throw e;
        }
    }

    private void releaseAll() {
        epochs.clear();
        views.clear();
        deferredCommits = List.of();
    }

    /** Whether some delivered batches are still pending in the store. */
    public boolean hasDeferredCommits() {
        return !deferredCommits.isEmpty();
    }
}
