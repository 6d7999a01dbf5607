package io.idempotent.flink.source.reader;

import io.idempotent.flink.origin.Origin;
import io.idempotent.flink.origin.Traced;
import io.idempotent.flink.source.split.PartitionSplitState;
import io.idempotent.flink.stream.PartitionRecord;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.connector.base.source.reader.RecordEmitter;
import org.apache.flink.metrics.Counter;

/** Emits a whole chunk in one call, each record traced with its origin, and moves the split on. */
@Internal
final class TracedRecordEmitter
        implements RecordEmitter<Chunk, Traced<PartitionRecord>, PartitionSplitState> {

    private final int subtask;
    private final RecordFailures failures;
    private final Counter recordsIn;

    /**
     * @param recordsIn Flink's numRecordsIn, which the reader base counts once per fetched element:
     *     once per chunk, so the other records of a chunk are counted here
     */
    TracedRecordEmitter(int subtask, RecordFailures failures, Counter recordsIn) {
        this.subtask = subtask;
        this.failures = failures;
        this.recordsIn = recordsIn;
    }

    @Override
    public void emitRecord(
            Chunk chunk, SourceOutput<Traced<PartitionRecord>> output, PartitionSplitState state) {
        String stream = state.partition().stream();
        long last = -1;
        for (PartitionRecord record : chunk.records()) {
            Origin origin =
                    new Origin(
                            stream,
                            record.partition(),
                            record.sequence(),
                            chunk.replaying(),
                            subtask);
            try {
                output.collect(new Traced<>(origin, record), record.timestamp());
            } catch (RuntimeException e) {
                throw failures.failed(origin, e);
            }
            failures.passed(origin);
            last = record.sequence();
        }
        state.emittedUpTo(last);
        recordsIn.inc(chunk.records().size() - 1);
    }
}
