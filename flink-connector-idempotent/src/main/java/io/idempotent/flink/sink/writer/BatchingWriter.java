package io.idempotent.flink.sink.writer;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.checkpoint.SinkScopedStore;
import io.idempotent.flink.destination.Batch;
import io.idempotent.flink.destination.IdempotentDestination;
import io.idempotent.flink.origin.Origin;
import io.idempotent.flink.origin.Traced;
import io.idempotent.flink.protocol.BatchDelivery;
import io.idempotent.flink.sink.BatchLimit;
import io.idempotent.flink.sink.DeadLetter;
import io.idempotent.flink.sink.DeliveryMetrics;
import io.idempotent.flink.sink.ElementSizer;
import io.idempotent.flink.stream.StreamPartition;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.IOUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer of {@link io.idempotent.flink.sink.IdempotentSink}: adds each element to its
 * partition's batch, whose identity is derived from its origin range, and delivers the batches
 * ({@link BatchDelivery}: one store write marks them pending and commits the delivery before, then
 * they are sent) when one is full, at every checkpoint barrier and at the end of the input, and in
 * the eager mode on a timer ({@link DeliveryTimer}). The data never enters Flink's state: if the
 * job fails, the source reads the records again, the batches the store shows committed are dropped
 * here, and a pending one comes back as a replay and is re-sent under its identity.
 *
 * <p>Its parts: {@link PartitionAdmission} decides which partitions it delivers and takes them
 * over; {@link PartitionFeed} forms each partition's batches; {@link FailurePolicy} says what a
 * failure means. Runs in the task thread.
 */
@Internal
public final class BatchingWriter<T> implements SinkWriter<Traced<T>> {

    private static final Logger LOG = LoggerFactory.getLogger(BatchingWriter.class);

    private final String sink;
    private final SinkScopedStore store;
    private final IdempotentDestination<T> destination;

    /** Owns the partitions, each with the feed that forms its batches. */
    private final BatchDelivery<T, PartitionFeed<T>> delivery;

    private final PartitionAdmission<T> admission;
    private final FailurePolicy failures;
    private final DeliveryTimer timer;
    private final BatchLimit limit;
    private final ElementSizer<Traced<T>> sizer;
    private final DeliveryMetrics metrics;
    private final Counter recordsSent;

    /** The source sequence of every element of the batches being delivered now, by batch. */
    private Map<BatchId, long[]> sequencesInDelivery = Map.of();

    public BatchingWriter(
            WriterSettings settings,
            WriterRuntime<T> runtime,
            SinkScopedStore store,
            IdempotentDestination<T> destination,
            @Nullable IdempotentDestination<DeadLetter<T>> deadLetters) {
        this.sink = settings.sink();
        this.store = store;
        this.metrics = runtime.metrics();
        this.destination =
                deadLetters == null
                        ? destination
                        : new DeadLetteringDestination<>(
                                sink,
                                destination,
                                deadLetters,
                                () -> sequencesInDelivery,
                                metrics.deadLetters());
        this.delivery = new BatchDelivery<>(store, this.destination, metrics);
        this.failures = new FailurePolicy(sink);
        this.limit = settings.limit();
        this.admission =
                new PartitionAdmission<>(
                        sink,
                        runtime.subtask(),
                        store,
                        this.destination,
                        delivery,
                        limit,
                        failures);
        this.timer = new DeliveryTimer(runtime.timers(), settings.maxDelay(), this::onTimer);
        this.sizer = runtime.sizer();
        this.recordsSent = runtime.recordsSent();
    }

    @Override
    public void write(Traced<T> element, Context context) {
        failures.requireNotFailed();
        Origin origin = element.origin();
        admission.requireChainedSource(origin);
        StreamPartition partition = new StreamPartition(origin.stream(), origin.partition());
        long size = limit.sizeOf(sizer, element);
        PartitionFeed<T> feed = delivery.state(partition);
        if (feed != null) {
            add(feed, element.value(), origin, size);
            return;
        }
        boolean full = admission.hold(partition, element.value(), origin, size);
        timer.schedule();
        if (full) {
            // Enough for a batch: take the waiting partitions over now.
            failures.guarded(this::takeOver);
        }
    }

    /** Adds an element to its partition's batch, delivering the batch first if it is full. */
    private void add(PartitionFeed<T> feed, T value, Origin origin, long size) {
        if (feed.isFullBefore(origin, limit, size)) {
            // A backlog must not form a batch too large to send: deliver this one now.
            List<Batch<T>> full = new ArrayList<>();
            Map<BatchId, long[]> sequences = new HashMap<>();
            feed.closeBatches(full, sequences);
            deliver(full, sequences, false);
        }
        if (feed.add(value, origin, size)) {
            recordsSent.inc();
            timer.schedule();
        }
    }

    private void takeOver() {
        admission.takeOver(this::add);
    }

    /**
     * At every barrier, and at the end of the input: delivers what came since the last delivery. In
     * the eager mode too: the barrier's checkpoint holds source positions past everything this
     * writer took, so nothing it took may stay undelivered behind the barrier.
     */
    @Override
    public void flush(boolean endOfInput) {
        failures.requireNotFailed();
        deliver(true, endOfInput);
    }

    /**
     * The eager mode's trigger: delivers every partition's batch in one store write (which also
     * commits the delivery before); when nothing new came, that write only commits, so a quiet
     * partition does not stay pending.
     */
    private void onTimer() {
        if (failures.hasFailed()) {
            return; // the task fails for it already
        }
        deliver(false, false);
        if (delivery.hasDeferredCommits()) {
            timer.schedule();
        }
    }

    /**
     * Delivers every partition's batches: at a barrier all of them, on a timer those that are whole
     * (a replay that may not have arrived in full waits).
     */
    private void deliver(boolean barrier, boolean endOfInput) {
        failures.guarded(this::takeOver);
        List<Batch<T>> batches = new ArrayList<>();
        Map<BatchId, long[]> sequences = new HashMap<>();
        for (PartitionFeed<T> feed : delivery.states()) {
            if (barrier) {
                feed.closeBatches(batches, sequences);
            } else {
                feed.closeReadyBatches(batches, sequences);
            }
        }
        if (batches.isEmpty() && !delivery.hasDeferredCommits()) {
            return;
        }
        deliver(batches, sequences, endOfInput);
    }

    /** One store write marks {@code batches} and commits what was delivered before; then sends. */
    private void deliver(
            List<Batch<T>> batches, Map<BatchId, long[]> sequences, boolean commitAll) {
        failures.guarded(() -> deliverOrThrow(batches, sequences, commitAll));
    }

    private void deliverOrThrow(
            List<Batch<T>> batches, Map<BatchId, long[]> sequences, boolean commitAll) {
        long started = System.nanoTime();
        sequencesInDelivery = sequences;
        try {
            failures.fenced(() -> delivery.deliver(batches));
        } catch (RuntimeException e) {
            throw failures.permanent(e, batches, sequences).orElseThrow(() -> e);
        } finally {
            sequencesInDelivery = Map.of();
        }
        if (commitAll) {
            failures.fenced(delivery::commitDelivered);
        }
        // The write just made committed everything older and marked what is pending now.
        metrics.pendingSince(delivery.hasDeferredCommits() ? started : 0);
        metrics.cycleTook(System.nanoTime() - started);
    }

    /**
     * Commits what was delivered (a clean stop leaves nothing pending), then closes. After a failed
     * delivery nothing is deferred (the delivery let every partition go); a commit that fails here
     * (fenced, store down, interrupted by a cancel) leaves its ranges pending, and the next owner
     * re-sends them as repeats the destination drops.
     */
    @Override
    public void close() throws Exception {
        try {
            if (delivery.hasDeferredCommits()) {
                delivery.commitDelivered();
                metrics.pendingSince(0);
            }
        } catch (RuntimeException e) {
            LOG.warn(
                    "Sink '{}' could not commit its last delivered batches when closing; they stay"
                            + " pending and the next owner re-sends them: {}",
                    sink,
                    e.toString());
        } finally {
            IOUtils.closeAll(Arrays.asList(destination, store));
        }
    }
}
