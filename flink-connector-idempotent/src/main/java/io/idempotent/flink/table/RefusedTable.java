package io.idempotent.flink.table;

import java.util.List;
import java.util.Map;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.sink.abilities.SupportsWritingMetadata;
import org.apache.flink.table.connector.source.ScanTableSource;
import org.apache.flink.table.connector.source.abilities.SupportsReadingMetadata;
import org.apache.flink.table.types.DataType;

/**
 * A table whose options the factory refused. The refusal reaches the user when the planner first
 * asks the table how it behaves ({@code getChangelogMode}, while the statement is planned), with
 * our message alone: thrown from the factory, Flink would wrap it in a listing of every option of
 * the table, and it masks only keys it considers secret, not a URL with a token or a password in
 * it. It offers the metadata a real table offers, so that the planner reaches that question.
 */
final class RefusedTable
        implements ScanTableSource,
                SupportsReadingMetadata,
                DynamicTableSink,
                SupportsWritingMetadata {

    private final String message;
    private final Throwable cause;

    RefusedTable(RuntimeException refusal) {
        this.message = refusal.getMessage();
        this.cause = refusal;
    }

    private ValidationException refusal() {
        return new ValidationException(message, cause);
    }

    @Override
    public ChangelogMode getChangelogMode() {
        throw refusal();
    }

    @Override
    public ChangelogMode getChangelogMode(ChangelogMode requestedMode) {
        throw refusal();
    }

    @Override
    public ScanRuntimeProvider getScanRuntimeProvider(ScanContext context) {
        throw refusal();
    }

    @Override
    public SinkRuntimeProvider getSinkRuntimeProvider(DynamicTableSink.Context context) {
        throw refusal();
    }

    @Override
    public Map<String, DataType> listReadableMetadata() {
        return IdempotentTableSource.readableMetadata();
    }

    @Override
    public void applyReadableMetadata(List<String> metadataKeys, DataType producedDataType) {}

    @Override
    public Map<String, DataType> listWritableMetadata() {
        return IdempotentTableSink.writableMetadata();
    }

    @Override
    public void applyWritableMetadata(List<String> metadataKeys, DataType consumedDataType) {}

    @Override
    public RefusedTable copy() {
        return this;
    }

    @Override
    public String asSummaryString() {
        return "idempotent (refused)";
    }
}
