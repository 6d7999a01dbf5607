package io.idempotent.flink.sink.writer;

import io.idempotent.flink.checkpoint.PartitionCheckpointStore;
import io.idempotent.flink.destination.Batch;
import io.idempotent.flink.destination.IdempotentDestination;
import io.idempotent.flink.protocol.DeliveryReport;
import io.idempotent.flink.protocol.PipelinedDelivery;
import io.idempotent.flink.sink.DeliveryMetrics;
import io.idempotent.flink.source.Origin;
import io.idempotent.flink.source.Traced;
import io.idempotent.flink.stream.StreamPartition;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.FlinkRuntimeException;
import org.apache.flink.util.IOUtils;

/**
 * Groups the elements of each partition between two checkpoint barriers into one batch whose
 * identity is derived from its origin range, and delivers the batches at the barrier: one store
 * write marks them pending (and commits the batches of the barrier before), then they are sent
 * ({@link PipelinedDelivery}). The data never enters Flink's state: if the job fails, the source
 * reads the records again, the batches the store shows committed are dropped here, and a pending
 * one comes back as a replay and is re-sent under its identity.
 *
 * <p>A partition is taken over (acquired, fencing its previous owner, and its checkpoint loaded)
 * when its first element arrives. Needs every element of a partition to reach this subtask in
 * order: a pipeline that redistributes records between source and sink is refused with an error,
 * never served wrongly. Runs in the task thread.
 */
@Internal
public final class BatchingWriter<T> implements SinkWriter<Traced<T>> {

    private final int subtask;
    private final PartitionCheckpointStore store;
    private final IdempotentDestination<T> destination;
    private final PipelinedDelivery<T> delivery;
    private final DeliveryMetrics metrics;
    private final Counter recordsSent;
    private final Map<StreamPartition, PartitionFeed<T>> feeds = new LinkedHashMap<>();

    public BatchingWriter(
            int subtask,
            PartitionCheckpointStore store,
            IdempotentDestination<T> destination,
            DeliveryMetrics metrics,
            Counter recordsSent) {
        this.subtask = subtask;
        this.store = store;
        this.destination = destination;
        this.delivery = new PipelinedDelivery<>(store, destination, metrics);
        this.metrics = metrics;
        this.recordsSent = recordsSent;
    }

    @Override
    public void write(Traced<T> element, Context context) {
        Origin origin = element.origin();
        if (origin.readerSubtask() != subtask) {
            throw new FlinkRuntimeException(
                    String.format(
                            "Sink subtask %d received a record of %s/%s read by source subtask %d:"
                                    + " the pipeline redistributes records (keyBy, rebalance, or"
                                    + " another parallelism than the source's) between the source"
                                    + " and this sink. Origin identities need each partition's"
                                    + " records in one sink subtask, in order: keep the sink"
                                    + " chained to the source at the same parallelism, or build"
                                    + " the sink with buildForUntracedElements(name) (checkpoint"
                                    + " identities).",
                            subtask, origin.stream(), origin.partition(), origin.readerSubtask()));
        }
        StreamPartition partition = new StreamPartition(origin.stream(), origin.partition());
        PartitionFeed<T> feed = feeds.get(partition);
        if (feed == null) {
            feed = new PartitionFeed<>(partition, delivery.takeOver(partition));
            feeds.put(partition, feed);
        }
        if (feed.add(element.value(), origin)) {
            recordsSent.inc();
        }
    }

    /** At every barrier, and at the end of the input: delivers what came since the last one. */
    @Override
    public void flush(boolean endOfInput) {
        List<Batch<T>> batches = new ArrayList<>();
        for (PartitionFeed<T> feed : feeds.values()) {
            feed.closeBatches(batches);
        }
        if (batches.isEmpty() && !delivery.hasDeferredCommits()) {
            return;
        }
        long started = System.nanoTime();
        DeliveryReport report = delivery.deliver(batches);
        if (endOfInput) {
            report = report.plus(delivery.commitDelivered());
        }
        metrics.record(report, System.nanoTime() - started);
    }

    @Override
    public void close() throws Exception {
        // Whatever was delivered and not yet committed stays pending: the next owner re-sends it.
        IOUtils.closeAll(Arrays.asList(destination, store));
    }
}
