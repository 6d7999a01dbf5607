package io.idempotent.flink.sink;

import io.idempotent.flink.checkpoint.CheckpointStoreFactory;
import io.idempotent.flink.checkpoint.SinkScopedStore;
import io.idempotent.flink.destination.DestinationFactory;
import io.idempotent.flink.destination.IdempotentDestination;
import io.idempotent.flink.origin.Traced;
import io.idempotent.flink.sink.writer.BatchingWriter;
import io.idempotent.flink.sink.writer.WriterRuntime;
import io.idempotent.flink.sink.writer.WriterSettings;
import java.util.Arrays;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.streaming.api.connector.sink2.SupportsPreWriteTopology;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.util.IOUtils;

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
 * checkpoint store, chained to this sink at the same parallelism, and feeding no other idempotent
 * sink. Every sink has a name, stable across restarts and unique among the sinks that share a
 * checkpoint store or a destination: it is part of every batch identity and of the key of the
 * sink's checkpoints, so that two sinks (or two jobs) reading one stream never take each other's
 * batches for their own.
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
public final class IdempotentSink<T>
        implements Sink<Traced<T>>, SupportsPreWriteTopology<Traced<T>> {

    private static final long serialVersionUID = 1L;

    private final WriterSettings settings;
    private final DestinationFactory<T> destinations;
    private final CheckpointStoreFactory stores;
    @Nullable private final DestinationFactory<DeadLetter<T>> deadLetters;

    IdempotentSink(
            WriterSettings settings,
            DestinationFactory<T> destinations,
            CheckpointStoreFactory stores,
            @Nullable DestinationFactory<DeadLetter<T>> deadLetters) {
        this.settings = settings;
        this.destinations = destinations;
        this.stores = stores;
        this.deadLetters = deadLetters;
    }

    /** The sink's name: part of every identity it sends and of the key of its checkpoints. */
    public String name() {
        return settings.sink();
    }

    /**
     * Runs while the job is built: checks the pipeline from the sources to this sink and tells each
     * {@code IdempotentSource} on the way which sink it feeds ({@link PipelineCheck}).
     */
    @Override
    @Internal
    public DataStream<Traced<T>> addPreWriteTopology(DataStream<Traced<T>> input) {
        PipelineCheck.check(settings.sink(), this, input);
        return input;
    }

    public static <T> IdempotentSinkBuilder<T> builder() {
        return new IdempotentSinkBuilder<>();
    }

    @Override
    public SinkWriter<Traced<T>> createWriter(WriterInitContext context) {
        SinkScopedStore store = SinkScopedStore.of(settings.sink(), stores.open());
        IdempotentDestination<DeadLetter<T>> letters = null;
        try {
            letters = deadLetters == null ? null : deadLetters.create();
            return new BatchingWriter<>(
                    settings,
                    WriterRuntime.of(context, settings),
                    store,
                    destinations.create(),
                    letters);
        } catch (RuntimeException e) {
            IOUtils.closeAllQuietly(Arrays.asList(letters, store));
            throw e;
        }
    }
}
