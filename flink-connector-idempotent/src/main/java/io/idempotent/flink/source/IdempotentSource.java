package io.idempotent.flink.source;

import io.idempotent.flink.checkpoint.CheckpointStoreFactory;
import io.idempotent.flink.checkpoint.SinkScopedStore;
import io.idempotent.flink.origin.PartitionRecordTypeInfo;
import io.idempotent.flink.origin.Traced;
import io.idempotent.flink.origin.TracedSource;
import io.idempotent.flink.origin.TracedTypeInfoFactory;
import io.idempotent.flink.source.enumerator.EnumeratorState;
import io.idempotent.flink.source.enumerator.EnumeratorStateSerializer;
import io.idempotent.flink.source.enumerator.PartitionSplitEnumerator;
import io.idempotent.flink.source.reader.IdempotentSourceReader;
import io.idempotent.flink.source.split.PartitionSplit;
import io.idempotent.flink.source.split.PartitionSplitSerializer;
import io.idempotent.flink.stream.PartitionRecord;
import io.idempotent.flink.stream.PartitionedStreamFactory;
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
                ResultTypeQueryable<Traced<PartitionRecord>>,
                TracedSource {

    private static final long serialVersionUID = 1L;

    private final PartitionedStreamFactory streams;
    @Nullable private final CheckpointStoreFactory stores;
    private final SourceSettings settings;

    /** The name of the {@code IdempotentSink} this source feeds, set when the job is built. */
    @Nullable private String sink;

    /** The sink object that claimed this source while the job was built, in the client. */
    @Nullable private transient Object claimant;

    IdempotentSource(
            PartitionedStreamFactory streams,
            @Nullable CheckpointStoreFactory stores,
            SourceSettings settings) {
        this.streams = streams;
        this.stores = stores;
        this.settings = settings;
    }

    public static IdempotentSourceBuilder builder() {
        return new IdempotentSourceBuilder();
    }

    /**
     * Called while the job is built by the one {@code IdempotentSink} this source feeds: the source
     * then replays that sink's pending ranges and, with {@link StartingPosition#CHECKPOINT_STORE},
     * starts where that sink's checkpoints say. A second sink fed by the same source is refused:
     * one source cannot replay two sinks' pending ranges, which differ.
     */
    @Override
    public void feeds(String sinkName, Object sinkObject) {
        boolean otherSink =
                claimant != null ? claimant != sinkObject : sink != null && !sink.equals(sinkName);
        if (otherSink) {
            throw new IllegalStateException(
                    String.format(
                            "An IdempotentSource feeds two IdempotentSinks ('%s' and '%s'). Each"
                                    + " sink keeps its own position and pending ranges, and a"
                                    + " source replays the pending ranges of one sink only. Give"
                                    + " each sink its own IdempotentSource (build one per sink;"
                                    + " they may read the same stream), e.g."
                                    + " env.fromSource(IdempotentSource.builder()...build(), ...)"
                                    + " once per sink.",
                            sink, sinkName));
        }
        this.sink = sinkName;
        this.claimant = sinkObject;
    }

    /** The checkpoints of the sink this source feeds; {@code null} without a store or a sink. */
    @Nullable
    private CheckpointStoreFactory sinkCheckpoints() {
        if (stores == null || sink == null) {
            return null;
        }
        String sinkName = sink;
        CheckpointStoreFactory all = stores;
        return () -> SinkScopedStore.of(sinkName, all.open());
    }

    @Override
    public Boundedness getBoundedness() {
        return settings.boundedness();
    }

    @Override
    public SourceReader<Traced<PartitionRecord>, PartitionSplit> createReader(
            SourceReaderContext context) {
        return new IdempotentSourceReader(
                streams, sinkCheckpoints(), settings.reader(), sink == null ? "" : sink, context);
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
        if (settings.startingPosition() == StartingPosition.CHECKPOINT_STORE && sink == null) {
            throw new IllegalStateException(
                    "The IdempotentSource starts from the checkpoint store, but it feeds no"
                            + " IdempotentSink, whose checkpoints say where to start. Connect it"
                            + " to the sink (source, then your processing, then sinkTo), or"
                            + " start from EARLIEST or LATEST.");
        }
        return new PartitionSplitEnumerator(context, streams, sinkCheckpoints(), settings, state);
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
