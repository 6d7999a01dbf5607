package io.idempotent.flink.suites;

import io.idempotent.flink.origin.Traced;
import io.idempotent.flink.source.IdempotentSource;
import io.idempotent.flink.source.enumerator.EnumeratorState;
import io.idempotent.flink.source.split.PartitionSplit;
import io.idempotent.flink.stream.PartitionRecord;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * {@link IdempotentSource} with each record's payload as the output, so that Flink's source test
 * suite can compare what the source emits with the strings it wrote. Everything else — the
 * enumerator, the splits, the reader and its state — is the source under test, unchanged.
 */
final class PayloadSource
        implements Source<String, PartitionSplit, EnumeratorState>, ResultTypeQueryable<String> {

    private final IdempotentSource source;

    PayloadSource(IdempotentSource source) {
        this.source = source;
    }

    @Override
    public Boundedness getBoundedness() {
        return source.getBoundedness();
    }

    @Override
    public SourceReader<String, PartitionSplit> createReader(SourceReaderContext context)
            throws Exception {
        SourceReader<Traced<PartitionRecord>, PartitionSplit> reader = source.createReader(context);
        return new SourceReader<>() {
            @Override
            public void start() {
                reader.start();
            }

            @Override
            public InputStatus pollNext(ReaderOutput<String> output) throws Exception {
                return reader.pollNext(new PayloadOutput(output));
            }

            @Override
            public List<PartitionSplit> snapshotState(long checkpointId) {
                return reader.snapshotState(checkpointId);
            }

            @Override
            public CompletableFuture<Void> isAvailable() {
                return reader.isAvailable();
            }

            @Override
            public void addSplits(List<PartitionSplit> splits) {
                reader.addSplits(splits);
            }

            @Override
            public void notifyNoMoreSplits() {
                reader.notifyNoMoreSplits();
            }

            @Override
            public void handleSourceEvents(SourceEvent event) {
                reader.handleSourceEvents(event);
            }

            @Override
            public void notifyCheckpointComplete(long checkpointId) throws Exception {
                reader.notifyCheckpointComplete(checkpointId);
            }

            @Override
            public void close() throws Exception {
                reader.close();
            }
        };
    }

    @Override
    public SplitEnumerator<PartitionSplit, EnumeratorState> createEnumerator(
            SplitEnumeratorContext<PartitionSplit> context) throws Exception {
        return source.createEnumerator(context);
    }

    @Override
    public SplitEnumerator<PartitionSplit, EnumeratorState> restoreEnumerator(
            SplitEnumeratorContext<PartitionSplit> context, EnumeratorState state)
            throws Exception {
        return source.restoreEnumerator(context, state);
    }

    @Override
    public SimpleVersionedSerializer<PartitionSplit> getSplitSerializer() {
        return source.getSplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<EnumeratorState> getEnumeratorCheckpointSerializer() {
        return source.getEnumeratorCheckpointSerializer();
    }

    @Override
    public TypeInformation<String> getProducedType() {
        return Types.STRING;
    }

    private static String payload(Traced<PartitionRecord> traced) {
        return new String(traced.value().payload(), StandardCharsets.UTF_8);
    }

    /** Passes payloads on to Flink's output. */
    private static final class PayloadOutput implements ReaderOutput<Traced<PartitionRecord>> {
        private final ReaderOutput<String> output;

        PayloadOutput(ReaderOutput<String> output) {
            this.output = output;
        }

        @Override
        public void collect(Traced<PartitionRecord> record) {
            output.collect(payload(record));
        }

        @Override
        public void collect(Traced<PartitionRecord> record, long timestamp) {
            output.collect(payload(record), timestamp);
        }

        @Override
        public void emitWatermark(Watermark watermark) {
            output.emitWatermark(watermark);
        }

        @Override
        public void markIdle() {
            output.markIdle();
        }

        @Override
        public void markActive() {
            output.markActive();
        }

        @Override
        public SourceOutput<Traced<PartitionRecord>> createOutputForSplit(String splitId) {
            SourceOutput<String> split = output.createOutputForSplit(splitId);
            return new SourceOutput<>() {
                @Override
                public void collect(Traced<PartitionRecord> record) {
                    split.collect(payload(record));
                }

                @Override
                public void collect(Traced<PartitionRecord> record, long timestamp) {
                    split.collect(payload(record), timestamp);
                }

                @Override
                public void emitWatermark(Watermark watermark) {
                    split.emitWatermark(watermark);
                }

                @Override
                public void markIdle() {
                    split.markIdle();
                }

                @Override
                public void markActive() {
                    split.markActive();
                }
            };
        }

        @Override
        public void releaseOutputForSplit(String splitId) {
            output.releaseOutputForSplit(splitId);
        }
    }
}
