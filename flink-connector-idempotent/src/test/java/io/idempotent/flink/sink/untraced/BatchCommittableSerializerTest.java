package io.idempotent.flink.sink.untraced;

import static org.assertj.core.api.Assertions.assertThat;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import io.idempotent.flink.testutils.SerializerSnapshots;
import java.util.List;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

class BatchCommittableSerializerTest {

    private static final StreamPartition PARTITION = new StreamPartition("orders", "0");
    static final BatchCommittable<String> SAMPLE =
            new BatchCommittable<>(
                    BatchId.of(PARTITION, SequenceRange.of(3, 7)),
                    PARTITION,
                    SequenceRange.of(3, 7),
                    List.of("a", "b", "c"),
                    List.of(3L, 5L, 7L),
                    true);

    private final BatchCommittableSerializer<String> serializer =
            new BatchCommittableSerializer<>(StringSerializer.INSTANCE);

    @Test
    void roundTrips() throws Exception {
        assertThat(serializer.deserialize(1, serializer.serialize(SAMPLE))).isEqualTo(SAMPLE);
    }

    @Test
    void readsTheCommittedVersion1Bytes() throws Exception {
        assertThat(serializer.deserialize(1, SerializerSnapshots.read(1, "batch-committable.bin")))
                .isEqualTo(SAMPLE);
    }

    @Disabled("Regenerates the committed snapshot; only when adding a version.")
    @Test
    void writeSnapshot() throws Exception {
        SerializerSnapshots.write(1, "batch-committable.bin", serializer.serialize(SAMPLE));
    }
}
