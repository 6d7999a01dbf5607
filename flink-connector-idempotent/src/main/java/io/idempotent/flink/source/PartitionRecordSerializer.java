package io.idempotent.flink.source;

import org.apache.flink.annotation.Internal;

/**
 * Where the serializer of {@link io.idempotent.flink.stream.PartitionRecord} lived up to 0.1.0:
 * keeps the snapshot class name that savepoints taken then record resolvable, as today's snapshot
 * under the old name; it restores {@link io.idempotent.flink.origin.PartitionRecordSerializer},
 * which reads the same bytes.
 */
@Internal
@Deprecated
public final class PartitionRecordSerializer {

    private PartitionRecordSerializer() {}

    /** Version 1 of the record format, as named before the move. */
    @Deprecated
    public static final class Snapshot
            extends io.idempotent.flink.origin.PartitionRecordSerializer.Snapshot {}
}
