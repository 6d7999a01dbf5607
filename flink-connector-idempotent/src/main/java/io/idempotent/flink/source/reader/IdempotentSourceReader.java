package io.idempotent.flink.source.reader;

import io.idempotent.flink.checkpoint.CheckpointStoreFactory;
import io.idempotent.flink.origin.Traced;
import io.idempotent.flink.source.split.PartitionSplit;
import io.idempotent.flink.source.split.PartitionSplitState;
import io.idempotent.flink.stream.PartitionRecord;
import io.idempotent.flink.stream.PartitionedStreamFactory;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.connector.base.source.reader.SingleThreadMultiplexSourceReaderBase;

/**
 * Reads the splits assigned to one subtask with one fetcher thread; with the checkpoint store, it
 * replays each assigned partition's pending range.
 */
@Internal
public final class IdempotentSourceReader
        extends SingleThreadMultiplexSourceReaderBase<
                Chunk, Traced<PartitionRecord>, PartitionSplit, PartitionSplitState> {

    /**
     * @param sink the name of the sink the source feeds ("" if none)
     */
    public IdempotentSourceReader(
            PartitionedStreamFactory streams,
            @Nullable CheckpointStoreFactory stores,
            ReaderSettings settings,
            String sink,
            SourceReaderContext context) {
        this(
                streams,
                stores,
                settings,
                new RecordFailures(sink, settings.recordMaxFailures()),
                context,
                new SourceReaderMetrics(context.metricGroup(), settings.perPartitionMetrics()));
    }

    private IdempotentSourceReader(
            PartitionedStreamFactory streams,
            @Nullable CheckpointStoreFactory stores,
            ReaderSettings settings,
            RecordFailures failures,
            SourceReaderContext context,
            SourceReaderMetrics metrics) {
        super(
                () ->
                        new PartitionSplitReader(
                                streams.open(),
                                stores,
                                settings.maxRecordsPerFetch(),
                                settings.idleWait(),
                                metrics),
                new TracedRecordEmitter(
                        context.getIndexOfSubtask(),
                        failures,
                        context.metricGroup().getIOMetricGroup().getNumRecordsInCounter()),
                context.getConfiguration(),
                context);
    }

    @Override
    protected void onSplitFinished(Map<String, PartitionSplitState> finished) {}

    @Override
    protected PartitionSplitState initializedState(PartitionSplit split) {
        return new PartitionSplitState(split);
    }

    @Override
    protected PartitionSplit toSplitType(String splitId, PartitionSplitState state) {
        return state.toSplit();
    }
}
