package io.idempotent.flink.sink.committer;

import io.idempotent.flink.checkpoint.PartitionCheckpoint;
import io.idempotent.flink.checkpoint.PartitionCheckpointStore;
import io.idempotent.flink.destination.Batch;
import io.idempotent.flink.destination.IdempotentDestination;
import io.idempotent.flink.destination.SendOutcome;
import io.idempotent.flink.protocol.BatchDelivery;
import io.idempotent.flink.protocol.DeliveryReport;
import io.idempotent.flink.stream.StreamPartition;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.util.IOUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the protocol core for the committables of completed checkpoints: acquire their partitions
 * (once per committer), then mark pending → send → commit ({@link BatchDelivery}). Restored
 * committables go the same way: a batch the store shows committed is acknowledged without a send;
 * one it shows pending is re-sent under its identity.
 *
 * <p>A failure fails the commit, and so the job: the batches stay pending in the store and in
 * Flink's state, and the restarted job re-sends them. No retry here, so that a partition's batches
 * are never committed out of order.
 */
@Internal
public final class BatchCommitter<T> implements Committer<BatchCommittable<T>> {

    private static final Logger LOG = LoggerFactory.getLogger(BatchCommitter.class);

    @Nullable private final PartitionCheckpointStore store;
    private final IdempotentDestination<T> destination;
    @Nullable private final BatchDelivery<T> delivery;
    private final CommitterMetrics metrics;
    private final Map<StreamPartition, Long> epochs = new HashMap<>();

    public BatchCommitter(
            @Nullable PartitionCheckpointStore store,
            IdempotentDestination<T> destination,
            CommitterMetrics metrics) {
        this.store = store;
        this.destination = destination;
        this.delivery = store == null ? null : new BatchDelivery<>(store, destination, metrics);
        this.metrics = metrics;
    }

    @Override
    public void commit(Collection<CommitRequest<BatchCommittable<T>>> requests)
            throws IOException, InterruptedException {
        if (requests.isEmpty()) {
            return;
        }
        long started = System.nanoTime();
        List<BatchCommittable<T>> traced = new ArrayList<>();
        DeliveryReport report = DeliveryReport.NONE;
        for (CommitRequest<BatchCommittable<T>> request : requests) {
            if (request.getCommittable().traced()) {
                traced.add(request.getCommittable());
            } else {
                report = report.plus(sendCheckpointBatch(request.getCommittable()));
            }
        }
        if (!traced.isEmpty()) {
            report = report.plus(deliverTraced(traced));
        }
        metrics.record(report, System.nanoTime() - started);
        LOG.debug("Committed {} batches: {}", requests.size(), report);
    }

    /**
     * A batch with a checkpoint identity has no range in a stream, so the store has nothing to
     * record: its identity, kept in Flink's state until now, is what makes a re-send harmless.
     */
    private DeliveryReport sendCheckpointBatch(BatchCommittable<T> committable)
            throws IOException, InterruptedException {
        SendOutcome outcome;
        Batch<T> batch = committable.toBatch();
        try {
            outcome = destination.send(batch);
        } catch (IOException | InterruptedException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(
                    "Sending batch "
                            + committable.id()
                            + " failed; the job fails over and re-sends it under the same identity",
                    e);
        }
        metrics.sent(batch, outcome, false);
        return new DeliveryReport(
                1,
                outcome == SendOutcome.REPEAT_DROPPED ? 1 : 0,
                0,
                0,
                committable.elements().size(),
                0);
    }

    private DeliveryReport deliverTraced(List<BatchCommittable<T>> committables) {
        if (store == null) {
            throw new IllegalStateException(
                    "Batches with origin identities need a checkpoint store; this committer has"
                            + " none. Was the job restored with another kind of sink?");
        }
        Set<StreamPartition> partitions = new LinkedHashSet<>();
        committables.forEach(c -> partitions.add(c.partition()));
        // A partition is acquired once per committer: a later owner fences this one, and this
        // one must not take the partition back by acquiring it again at its next commit.
        List<StreamPartition> unowned = new ArrayList<>();
        for (StreamPartition partition : partitions) {
            if (!epochs.containsKey(partition)) {
                unowned.add(partition);
            }
        }
        if (!unowned.isEmpty()) {
            long acquiring = System.nanoTime();
            epochs.putAll(store.acquireAll(unowned));
            metrics.storeWritten(System.nanoTime() - acquiring);
        }
        Map<StreamPartition, PartitionCheckpoint> checkpoints = new HashMap<>();
        List<Batch<T>> batches = new ArrayList<>(committables.size());
        for (BatchCommittable<T> committable : committables) {
            Batch<T> batch =
                    StoreAlignment.align(
                            committable,
                            checkpoints.computeIfAbsent(committable.partition(), store::load));
            if (batch != null) {
                batches.add(batch);
            }
        }
        // Per partition in sequence order, whatever order checkpoints and subtasks came in.
        batches.sort(
                Comparator.comparing((Batch<T> b) -> b.partition())
                        .thenComparingLong(b -> b.range().from()));
        return delivery.deliver(batches, epochs::get, checkpoints);
    }

    @Override
    public void close() throws Exception {
        IOUtils.closeAll(Arrays.asList(destination, store));
    }
}
