package io.idempotent.flink.protocol;

import io.idempotent.flink.stream.PartitionRecord;
import java.io.Serializable;
import java.util.function.Consumer;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Turns a source record into zero or more elements for the destination. Must be deterministic: a
 * replayed range has to produce the very same batch as the first time.
 */
@PublicEvolving
@FunctionalInterface
public interface RecordProcessor<T> extends Serializable {

    void process(PartitionRecord record, Consumer<T> out) throws Exception;

    /** Sends each record's payload unchanged. */
    static RecordProcessor<byte[]> payloads() {
        return (record, out) -> out.accept(record.payload());
    }
}
