package io.idempotent.flink.sink.writer;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.checkpoint.FencedException;
import io.idempotent.flink.destination.Batch;
import io.idempotent.flink.destination.PoisonElementException;
import io.idempotent.flink.destination.RefusedBatchException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import javax.annotation.Nullable;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.util.FlinkRuntimeException;

/**
 * What a writer's failure means: whether a restart can mend it (a store or destination that is
 * down: Flink restarts the job) or not (a fence, a poison element, a refused batch, a pipeline that
 * breaks the source's order: the job fails without restarts, with a message that names the sink,
 * the record and what to do), and that a writer that failed once takes nothing more.
 */
final class FailurePolicy {

    private final String sink;

    /**
     * Why a delivery failed, once one has: Flink fails the task for it only when it gets to it (a
     * timer's failure is handled asynchronously), and until then the writer takes nothing more.
     * Taking a partition over again would fence its newer owner, if that is why it failed.
     */
    @Nullable private RuntimeException failed;

    FailurePolicy(String sink) {
        this.sink = sink;
    }

    /** Throws the failure the writer had, if it had one. */
    void requireNotFailed() {
        if (failed != null) {
            throw failed;
        }
    }

    boolean hasFailed() {
        return failed != null;
    }

    /** Runs {@code work}; if it fails, the writer takes nothing more. */
    void guarded(Runnable work) {
        try {
            work.run();
        } catch (RuntimeException e) {
            failed = e;
            throw e;
        }
    }

    /**
     * Runs {@code work}; a fence (a newer owner took a partition over: another job, or another sink
     * of the same name on the same store) fails the job without restarts, which would only fight.
     */
    void fenced(Runnable work) {
        fencedGet(
                () -> {
                    work.run();
                    return null;
                });
    }

    /** As {@link #fenced(Runnable)}, for work with a result. */
    <R> R fencedGet(Supplier<R> work) {
        try {
            return work.get();
        } catch (FencedException e) {
            throw refused(
                    String.format(
                            "Sink '%s' lost partition %s to a newer owner (epoch %d, ours %d):"
                                    + " another job, or another sink named '%s', runs on the same"
                                    + " checkpoint store and took it over. Two owners of one"
                                    + " partition only fence each other; this job stops. Give"
                                    + " each sink a unique name, and run each job once.",
                            sink, e.partition(), e.currentEpoch(), e.staleEpoch(), sink));
        }
    }

    /**
     * What the destination refuses for good comes back with every re-send of its batch: a poison
     * element (named by its origin) or a refused batch (named by its range) fails the job without
     * restarts, which would only send it again. Any other failure is the caller's to throw.
     */
    <T> Optional<RuntimeException> permanent(
            Throwable failure, List<Batch<T>> batches, Map<BatchId, long[]> sequences) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof PoisonElementException element) {
                long[] ofBatch = sequences.get(element.batch());
                Batch<T> batch = find(batches, element.batch());
                if (ofBatch == null || batch == null || element.index() >= ofBatch.length) {
                    return Optional.empty();
                }
                return Optional.of(
                        refused(
                                failure,
                                String.format(
                                        "Sink '%s': the destination refuses the element of"
                                                + " record %s#%d (stream/partition#sequence),"
                                                + " element %d of batch %s, for good: %s. Every"
                                                + " re-send would fail the same way, so the job"
                                                + " stops. Fix the processing, the encoder or the"
                                                + " destination for such records, or give the"
                                                + " sink dead letters; the batch stays pending"
                                                + " and is re-sent when the job starts again.",
                                        sink,
                                        batch.partition(),
                                        ofBatch[element.index()],
                                        element.index(),
                                        element.batch(),
                                        element.reason())));
            }
            if (cause instanceof RefusedBatchException refusal) {
                Batch<T> batch = find(batches, refusal.batch());
                if (batch == null) {
                    return Optional.empty();
                }
                return Optional.of(
                        refused(
                                failure,
                                String.format(
                                        "Sink '%s': the destination refuses batch %s (records"
                                                + " %s#%d to #%d, %d elements) for good: %s",
                                        sink,
                                        refusal.batch(),
                                        batch.partition(),
                                        batch.range().from(),
                                        batch.range().to(),
                                        batch.elements().size(),
                                        refusal.getMessage())));
            }
        }
        return Optional.empty();
    }

    @Nullable
    private static <T> Batch<T> find(List<Batch<T>> batches, BatchId id) {
        for (Batch<T> batch : batches) {
            if (batch.id().equals(id)) {
                return batch;
            }
        }
        return null;
    }

    private static SuppressRestartsException refused(Throwable failure, String message) {
        SuppressRestartsException refused = refused(message);
        refused.addSuppressed(failure);
        return refused;
    }

    /** A failure that a restart cannot mend: the job fails at once instead of restarting. */
    static SuppressRestartsException refused(String message) {
        return new SuppressRestartsException(new FlinkRuntimeException(message));
    }
}
