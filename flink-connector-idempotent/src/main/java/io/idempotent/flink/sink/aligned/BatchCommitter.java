package io.idempotent.flink.sink.aligned;

import io.idempotent.flink.destination.Batch;
import io.idempotent.flink.destination.IdempotentDestination;
import io.idempotent.flink.destination.PoisonElementException;
import io.idempotent.flink.destination.RefusedBatchException;
import io.idempotent.flink.destination.SendOutcome;
import io.idempotent.flink.sink.DeliveryMetrics;
import java.io.IOException;
import java.util.Collection;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.util.FlinkRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the batches of completed checkpoints with checkpoint identities ({@link
 * io.idempotent.flink.sink.aligned.CheckpointAlignedSink}). Such a batch has no range in a stream,
 * so the checkpoint store has nothing to record: its identity, kept in Flink's state until now, is
 * what makes a re-send harmless.
 *
 * <p>A failure fails the commit, and so the job: the batches stay in Flink's state, and the
 * restarted job re-sends them. No retry here, so that batches are never sent out of order.
 */
@Internal
public final class BatchCommitter<T> implements Committer<BatchCommittable<T>> {

    private static final Logger LOG = LoggerFactory.getLogger(BatchCommitter.class);

    private final IdempotentDestination<T> destination;
    private final DeliveryMetrics metrics;

    public BatchCommitter(IdempotentDestination<T> destination, DeliveryMetrics metrics) {
        this.destination = destination;
        this.metrics = metrics;
    }

    @Override
    public void commit(Collection<CommitRequest<BatchCommittable<T>>> requests)
            throws IOException, InterruptedException {
        if (requests.isEmpty()) {
            return;
        }
        long started = System.nanoTime();
        for (CommitRequest<BatchCommittable<T>> request : requests) {
            send(request.getCommittable());
        }
        metrics.cycleTook(System.nanoTime() - started);
        LOG.debug("Committed {} batches", requests.size());
    }

    private void send(BatchCommittable<T> committable) throws IOException, InterruptedException {
        SendOutcome outcome;
        Batch<T> batch = committable.toBatch();
        try {
            outcome = destination.send(batch);
        } catch (PoisonElementException e) {
            throw refused(
                    e,
                    String.format(
                            "the destination refuses element %d of batch %s for good: %s",
                            e.index(), committable.id(), e.reason()));
        } catch (RefusedBatchException e) {
            throw refused(
                    e,
                    String.format(
                            "the destination refuses batch %s (%d elements) for good: %s",
                            committable.id(), committable.elements().size(), e.getMessage()));
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
    }

    /**
     * A refusal every re-send meets again: the job stops without restarts (which would only send
     * the batch again, for ever); the batch stays in Flink's state of the last checkpoint.
     */
    private static SuppressRestartsException refused(Exception cause, String what) {
        return new SuppressRestartsException(
                new FlinkRuntimeException(
                        "The checkpoint-aligned sink stops: "
                                + what
                                + ". Every re-send would be refused the same way. Fix the"
                                + " processing, the encoder or the destination for such"
                                + " elements (a query can filter them out), then start the job"
                                + " again from its last checkpoint: the batch is re-sent.",
                        cause));
    }

    @Override
    public void close() throws Exception {
        destination.close();
    }
}
