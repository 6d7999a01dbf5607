package io.idempotent.flink.source;

import io.idempotent.flink.checkpoint.CheckpointStoreFactory;
import io.idempotent.flink.source.enumerator.EnumeratorState;
import io.idempotent.flink.source.enumerator.EnumeratorStateSerializer;
import io.idempotent.flink.source.enumerator.PartitionSplitEnumerator;
import io.idempotent.flink.source.reader.IdempotentSourceReader;
import io.idempotent.flink.source.split.PartitionSplit;
import io.idempotent.flink.source.split.PartitionSplitSerializer;
import io.idempotent.flink.stream.PartitionRecord;
import io.idempotent.flink.stream.PartitionedStreamFactory;
import java.time.Duration;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A FLIP-27 source over a {@link io.idempotent.flink.stream.PartitionedStream}: one split per
 * partition, each record emitted as a {@link Traced} with its origin. With the sink's checkpoint
 * store it replays, whenever it is assigned a partition (a start, a failover, a restore, a
 * rescale), the partition's pending range exactly, marked so that {@link
 * io.idempotent.flink.sink.IdempotentSink} re-sends the same batch under the same identity.
 *
 * <pre>{@code
 * IdempotentSource source =
 *         IdempotentSource.builder()
 *                 .stream(LocalStream.factory(Path.of("/data/stream")))
 *                 .startingFrom(StartingPosition.CHECKPOINT_STORE) // without Flink state
 *                 .checkpointStore(RocksDbCheckpointStore.factory(dir, WriteDurability.SYNCED))
 *                 .build();
 * }</pre>
 *
 * @see IdempotentSourceBuilder
 */
@PublicEvolving
public final class IdempotentSource
        implements Source<Traced<PartitionRecord>, PartitionSplit, EnumeratorState>,
                ResultTypeQueryable<Traced<PartitionRecord>> {

    private static final long serialVersionUID = 1L;

    private final PartitionedStreamFactory streams;
    @Nullable private final CheckpointStoreFactory stores;
    private final StartingPosition startingPosition;
    private final Boundedness boundedness;
    private final Duration discoveryInterval;
    private final int maxRecordsPerFetch;
    private final Duration idleWait;

    IdempotentSource(
            PartitionedStreamFactory streams,
            @Nullable CheckpointStoreFactory stores,
            StartingPosition startingPosition,
            Boundedness boundedness,
            Duration discoveryInterval,
            int maxRecordsPerFetch,
            Duration idleWait) {
        this.streams = streams;
        this.stores = stores;
        this.startingPosition = startingPosition;
        this.boundedness = boundedness;
        this.discoveryInterval = discoveryInterval;
        this.maxRecordsPerFetch = maxRecordsPerFetch;
        this.idleWait = idleWait;
    }

    public static IdempotentSourceBuilder builder() {
        return new IdempotentSourceBuilder();
    }

    @Override
    public Boundedness getBoundedness() {
        return boundedness;
    }

    @Override
    public SourceReader<Traced<PartitionRecord>, PartitionSplit> createReader(
            SourceReaderContext context) {
        return new IdempotentSourceReader(streams, stores, maxRecordsPerFetch, idleWait, context);
    }

    @Override
    public SplitEnumerator<PartitionSplit, EnumeratorState> createEnumerator(
            SplitEnumeratorContext<PartitionSplit> context) {
        return enumerator(context, null);
    }

    @Override
    public SplitEnumerator<PartitionSplit, EnumeratorState> restoreEnumerator(
            SplitEnumeratorContext<PartitionSplit> context, EnumeratorState state) {
        return enumerator(context, state);
    }

    private PartitionSplitEnumerator enumerator(
            SplitEnumeratorContext<PartitionSplit> context, @Nullable EnumeratorState state) {
        return new PartitionSplitEnumerator(
                context,
                streams,
                stores,
                startingPosition,
                boundedness == Boundedness.BOUNDED,
                discoveryInterval,
                state);
    }

    @Override
    public SimpleVersionedSerializer<PartitionSplit> getSplitSerializer() {
        return new PartitionSplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<EnumeratorState> getEnumeratorCheckpointSerializer() {
        return new EnumeratorStateSerializer();
    }

    @Override
    public TypeInformation<Traced<PartitionRecord>> getProducedType() {
        return new TracedTypeInfoFactory.TracedTypeInfo<>(new PartitionRecordTypeInfo());
    }
}
