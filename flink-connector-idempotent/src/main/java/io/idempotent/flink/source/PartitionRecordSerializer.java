package io.idempotent.flink.source;

import io.idempotent.flink.stream.PartitionRecord;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;

/**
 * Where the serializer of {@link PartitionRecord} lived before 0.3: keeps the snapshot class name
 * that savepoints taken before the move record resolvable, and restores today's {@link
 * io.idempotent.flink.origin.PartitionRecordSerializer}, which reads the same bytes.
 */
@Internal
@Deprecated
public final class PartitionRecordSerializer {

    private PartitionRecordSerializer() {}

    /** Version 1 of the record format, as written before the move. */
    @Deprecated
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<PartitionRecord> {
        public Snapshot() {
            super(() -> io.idempotent.flink.origin.PartitionRecordSerializer.INSTANCE);
        }
    }
}
