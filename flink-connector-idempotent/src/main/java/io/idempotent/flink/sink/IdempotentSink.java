package io.idempotent.flink.sink;

import io.idempotent.flink.checkpoint.CheckpointStoreFactory;
import io.idempotent.flink.checkpoint.PartitionCheckpointStore;
import io.idempotent.flink.destination.DestinationFactory;
import io.idempotent.flink.destination.IdempotentDestination;
import io.idempotent.flink.sink.writer.BatchingWriter;
import io.idempotent.flink.source.Traced;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A sink that delivers {@link Traced} elements exactly once into an {@link
 * io.idempotent.flink.destination.IdempotentDestination}. The writer forms one batch per partition
 * and checkpoint, identified by its origin range, and delivers the batches at the checkpoint
 * barrier: one write to the partition checkpoint store marks them pending (and commits the batches
 * of the barrier before), then they are sent. Batch data never enters Flink's state. After a
 * failure the source re-reads the records; what the store shows committed is dropped, and a pending
 * range is replayed and re-sent under its identity, which the destination drops if it has it.
 *
 * <p>The source must be an {@link io.idempotent.flink.source.IdempotentSource} built with the same
 * checkpoint store, chained to this sink at the same parallelism.
 *
 * <pre>{@code
 * CheckpointStoreFactory store = RocksDbCheckpointStore.factory(dir, WriteDurability.SYNCED);
 * IdempotentSource source = IdempotentSource.builder().stream(streams).checkpointStore(store).build();
 * IdempotentSink<String> sink =
 *         IdempotentSink.<String>builder()
 *                 .destination(FileDestination.factory(Path.of("/data/out"), s -> s.getBytes(UTF_8)))
 *                 .checkpointStore(store)
 *                 .build();
 * }</pre>
 *
 * @see IdempotentSinkBuilder
 */
@PublicEvolving
public final class IdempotentSink<T> implements Sink<Traced<T>> {

    private static final long serialVersionUID = 1L;

    private final DestinationFactory<T> destinations;
    private final CheckpointStoreFactory stores;

    IdempotentSink(DestinationFactory<T> destinations, CheckpointStoreFactory stores) {
        this.destinations = destinations;
        this.stores = stores;
    }

    public static <T> IdempotentSinkBuilder<T> builder() {
        return new IdempotentSinkBuilder<>();
    }

    @Override
    public SinkWriter<Traced<T>> createWriter(WriterInitContext context) {
        PartitionCheckpointStore store = stores.open();
        try {
            IdempotentDestination<T> destination = destinations.create();
            return new BatchingWriter<>(
                    context.getTaskInfo().getIndexOfThisSubtask(),
                    store,
                    destination,
                    new DeliveryMetrics(context.metricGroup()),
                    context.metricGroup().getNumRecordsSendCounter());
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }
}
