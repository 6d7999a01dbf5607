package io.idempotent.flink.sink.writer;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.checkpoint.FencedException;
import io.idempotent.flink.checkpoint.PartitionCheckpoint;
import io.idempotent.flink.checkpoint.PartitionCheckpointStore;
import io.idempotent.flink.checkpoint.SinkScopedStore;
import io.idempotent.flink.destination.Batch;
import io.idempotent.flink.destination.IdempotentDestination;
import io.idempotent.flink.destination.PoisonElementException;
import io.idempotent.flink.destination.RefusedBatchException;
import io.idempotent.flink.origin.Origin;
import io.idempotent.flink.origin.Traced;
import io.idempotent.flink.protocol.BatchDelivery;
import io.idempotent.flink.protocol.DeliveryReport;
import io.idempotent.flink.sink.BatchLimit;
import io.idempotent.flink.sink.DeadLetter;
import io.idempotent.flink.sink.DeliveryMetrics;
import io.idempotent.flink.sink.ElementSizer;
import io.idempotent.flink.stream.PartitionedStream;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.util.FlinkRuntimeException;
import org.apache.flink.util.IOUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Groups the elements of each partition between two checkpoint barriers into one batch whose
 * identity is derived from its origin range (a batch that reaches the size limit is delivered at
 * once, and the next one begins), and delivers the batches at the barrier: one store write marks
 * them pending (and commits the batches of the barrier before), then they are sent ({@link
 * BatchDelivery}). The data never enters Flink's state: if the job fails, the source reads the
 * records again, the batches the store shows committed are dropped here, and a pending one comes
 * back as a replay and is re-sent under its identity.
 *
 * <p>A partition is taken over (acquired, fencing its previous owner, and its checkpoint loaded) at
 * the first delivery after its first element arrives, together with every other partition whose
 * first elements arrived meanwhile: one store write for all of them. Needs every element of a
 * partition to reach this subtask in order: a pipeline that redistributes records between source
 * and sink is refused with an error, never served wrongly. Runs in the task thread.
 */
@Internal
public final class BatchingWriter<T> implements SinkWriter<Traced<T>> {

    private static final Logger LOG = LoggerFactory.getLogger(BatchingWriter.class);

    private final String sink;
    private final int subtask;
    private final SinkScopedStore store;
    private final IdempotentDestination<T> destination;

    /** Owns the partitions, each with the feed that forms its batches. */
    private final BatchDelivery<T, PartitionFeed<T>> delivery;

    private final DeliveryMetrics metrics;
    private final Counter recordsSent;
    private final BatchLimit limit;
    private final ElementSizer<Traced<T>> sizer;

    /** Set in the eager mode: a timer delivers between barriers. */
    @Nullable private final EagerDelivery eager;

    /**
     * Why a delivery failed, once one has: Flink fails the task for it only when it gets to it (a
     * timer's failure is handled asynchronously), and until then the writer takes nothing more.
     * Taking a partition over again would fence its newer owner, if that is why it failed.
     */
    @Nullable private RuntimeException failed;

    /** Whether a timer is registered to deliver (or, when nothing new came, to commit). */
    private boolean timerSet;

    /**
     * Elements of partitions not taken over yet, in arrival order per partition. They are taken
     * over together, in one store write, at the next delivery (or when one of them holds a full
     * batch): a subtask that is assigned thousands of partitions does not make a synced write for
     * each.
     */
    private final Map<StreamPartition, Arrivals<T>> arrivals = new LinkedHashMap<>();

    /** An element whose partition is not taken over yet. */
    private record Arrival<T>(T value, Origin origin, long size) {}

    /** The elements of one partition not taken over yet, and their size. */
    private static final class Arrivals<T> {
        final List<Arrival<T>> elements = new ArrayList<>();
        long bytes;
    }

    /** The source sequence of every element of the batches being delivered now, by batch. */
    private Map<BatchId, long[]> sequencesInDelivery = Map.of();

    public BatchingWriter(
            String sink,
            int subtask,
            SinkScopedStore store,
            IdempotentDestination<T> destination,
            DeliveryMetrics metrics,
            Counter recordsSent,
            BatchLimit limit,
            ElementSizer<Traced<T>> sizer,
            @Nullable EagerDelivery eager,
            @Nullable IdempotentDestination<DeadLetter<T>> deadLetters) {
        this.sink = sink;
        this.subtask = subtask;
        this.store = store;
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
        this.metrics = metrics;
        this.recordsSent = recordsSent;
        this.limit = limit;
        this.sizer = sizer;
        this.eager = eager;
    }

    @Override
    public void write(Traced<T> element, Context context) {
        requireNotFailed();
        Origin origin = element.origin();
        if (origin.readerSubtask() != subtask) {
            throw refused(
                    String.format(
                            "Sink subtask %d received a record of %s/%s read by source subtask %d:"
                                    + " the pipeline redistributes records (keyBy, rebalance, or"
                                    + " another parallelism than the source's) between the source"
                                    + " and this sink. Origin identities need each partition's"
                                    + " records in one sink subtask, in order: keep the sink"
                                    + " chained to the source at the same parallelism, or use"
                                    + " UntracedIdempotentSink.builder() (checkpoint"
                                    + " identities).",
                            subtask, origin.stream(), origin.partition(), origin.readerSubtask()));
        }
        StreamPartition partition = new StreamPartition(origin.stream(), origin.partition());
        long size = limit.sizeOf(sizer, element);
        PartitionFeed<T> feed = delivery.state(partition);
        if (feed == null) {
            Arrivals<T> waiting = arrivals.get(partition);
            if (waiting == null) {
                requireHoldableIdentities(partition);
                waiting = new Arrivals<>();
                arrivals.put(partition, waiting);
            }
            waiting.elements.add(new Arrival<>(element.value(), origin, size));
            waiting.bytes += size;
            if (eager != null && !timerSet) {
                scheduleDelivery();
            }
            if (limit.isFull(waiting.elements.size(), waiting.bytes, 0)) {
                // Enough for a batch: take the waiting partitions over now.
                guarded(this::takeOverArrivals);
            }
            return;
        }
        add(feed, element.value(), origin, size);
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
            if (eager != null && !timerSet) {
                scheduleDelivery();
            }
        }
    }

    /**
     * Takes every partition with waiting elements over, in one store write (and one read), then
     * adds their elements to their batches.
     */
    private void takeOverArrivals() {
        if (arrivals.isEmpty()) {
            return;
        }
        List<StreamPartition> fresh = new ArrayList<>();
        Map<StreamPartition, PartitionFeed<T>> feeds =
                fenced(
                        () ->
                                delivery.takeOverAll(
                                        arrivals.keySet(),
                                        (partition, checkpoint) -> {
                                            if (checkpoint.committed()
                                                            == PartitionCheckpoint.NOTHING_COMMITTED
                                                    && checkpoint.pending() == null) {
                                                fresh.add(partition);
                                            }
                                            return new PartitionFeed<>(sink, partition, checkpoint);
                                        }));
        requireNoUnnamedCheckpoints(fresh);
        List<Map.Entry<StreamPartition, Arrivals<T>>> taken = new ArrayList<>(arrivals.entrySet());
        arrivals.clear();
        for (Map.Entry<StreamPartition, Arrivals<T>> entry : taken) {
            PartitionFeed<T> feed = feeds.get(entry.getKey());
            for (Arrival<T> arrival : entry.getValue().elements) {
                add(feed, arrival.value(), arrival.origin(), arrival.size());
            }
        }
    }

    /**
     * Checks that the partition's identities fit the store and the destination, before anything is
     * marked pending: this does not go away with a restart.
     */
    private void requireHoldableIdentities(StreamPartition partition) {
        BatchId longest =
                BatchId.of(sink, partition, SequenceRange.of(Long.MAX_VALUE, Long.MAX_VALUE));
        try {
            BatchId.parse(longest.value());
            destination.requireHoldable(longest);
        } catch (IllegalArgumentException e) {
            throw refused(
                    String.format(
                            "Sink '%s' cannot deliver partition %s: its batch identities, up to"
                                    + " '%s', cannot be held: %s Use shorter stream, partition or"
                                    + " sink names.",
                            sink, partition, longest, e.getMessage()));
        }
    }

    /**
     * Checks that no sink without a name (an earlier version) left a checkpoint of the partitions
     * this sink has none of, before anything is marked pending: that does not go away with a
     * restart either.
     */
    private void requireNoUnnamedCheckpoints(List<StreamPartition> fresh) {
        if (fresh.isEmpty()) {
            return;
        }
        PartitionCheckpointStore unscoped = store.unscoped();
        Map<StreamPartition, PartitionCheckpoint> unnamed = unscoped.loadAll(fresh);
        // Earlier versions named a Kafka topic's partitions without the topic's id.
        Map<StreamPartition, StreamPartition> withoutId = new LinkedHashMap<>();
        for (StreamPartition partition : fresh) {
            if (unnamed.get(partition).equals(PartitionCheckpoint.INITIAL)) {
                PartitionedStream.withoutIncarnation(partition.stream())
                        .ifPresent(
                                plain ->
                                        withoutId.put(
                                                new StreamPartition(plain, partition.partition()),
                                                partition));
            }
        }
        Map<StreamPartition, PartitionCheckpoint> byPlainName =
                withoutId.isEmpty() ? Map.of() : unscoped.loadAll(withoutId.keySet());
        for (StreamPartition partition : fresh) {
            requireUnused(partition, unnamed.get(partition));
        }
        withoutId.forEach((plain, partition) -> requireUnused(partition, byPlainName.get(plain)));
    }

    private void requireUnused(StreamPartition partition, PartitionCheckpoint unnamed) {
        if (unnamed.committed() != PartitionCheckpoint.NOTHING_COMMITTED
                || unnamed.pending() != null) {
            throw refused(
                    String.format(
                            "The checkpoint store holds a checkpoint of %s written by a sink"
                                    + " without a name (an earlier version of this library):"
                                    + " %s. Sink '%s' has none, and would deliver again what"
                                    + " that sink delivered. Finish the old job with the"
                                    + " version that started it, or start this sink on a new"
                                    + " store: it then starts from Flink's restored positions,"
                                    + " and batches the old sink delivered after them arrive"
                                    + " again.",
                            partition, unnamed, sink));
        }
    }

    /**
     * Runs {@code work}; a fence (a newer owner took a partition over: another job, or another sink
     * of the same name on the same store) fails the job without restarts, which would only fight.
     */
    private <R> R fenced(java.util.function.Supplier<R> work) {
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
     * restarts, which would only send it again.
     */
    private Optional<RuntimeException> permanent(
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
    private static SuppressRestartsException refused(String message) {
        return new SuppressRestartsException(new FlinkRuntimeException(message));
    }

    /**
     * At every barrier, and at the end of the input: delivers what came since the last delivery. In
     * the eager mode too: the barrier's checkpoint holds source positions past everything this
     * writer took, so nothing it took may stay undelivered behind the barrier.
     */
    @Override
    public void flush(boolean endOfInput) {
        requireNotFailed();
        deliver(true, endOfInput);
    }

    private void requireNotFailed() {
        if (failed != null) {
            throw failed;
        }
    }

    /** Registers the delivery timer, unless one is registered: at most one per delay. */
    private void scheduleDelivery() {
        if (timerSet) {
            return;
        }
        timerSet = true;
        eager.timers()
                .registerTimer(
                        eager.timers().getCurrentProcessingTime() + eager.maxDelayMillis(),
                        time -> onTimer());
    }

    /**
     * The eager mode's trigger: delivers every partition's batch in one store write (which also
     * commits the delivery before); when nothing new came, that write only commits, so a quiet
     * partition does not stay pending.
     */
    private void onTimer() {
        timerSet = false;
        if (failed != null) {
            return; // the task fails for it already
        }
        deliver(false, false);
        if (delivery.hasDeferredCommits()) {
            scheduleDelivery();
        }
    }

    /**
     * Delivers every partition's batches: at a barrier all of them, on a timer those that are whole
     * (a replay that may not have arrived in full waits).
     */
    private void deliver(boolean barrier, boolean endOfInput) {
        guarded(this::takeOverArrivals);
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
        guarded(() -> deliverOrThrow(batches, sequences, commitAll));
    }

    /** Runs {@code work}; if it fails, the writer takes nothing more ({@link #failed}). */
    private void guarded(Runnable work) {
        try {
            work.run();
        } catch (RuntimeException e) {
            failed = e;
            throw e;
        }
    }

    private void deliverOrThrow(
            List<Batch<T>> batches, Map<BatchId, long[]> sequences, boolean commitAll) {
        long started = System.nanoTime();
        DeliveryReport report;
        sequencesInDelivery = sequences;
        try {
            report = fenced(() -> delivery.deliver(batches));
        } catch (RuntimeException e) {
            throw permanent(e, batches, sequences).orElseThrow(() -> e);
        } finally {
            sequencesInDelivery = Map.of();
        }
        if (commitAll) {
            report = report.plus(fenced(delivery::commitDelivered));
        }
        // The write just made committed everything older and marked what is pending now.
        metrics.pendingSince(delivery.hasDeferredCommits() ? started : 0);
        metrics.record(report, System.nanoTime() - started);
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
