package io.idempotent.flink.sink.aligned;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.idempotent.flink.testutils.SerializerSnapshots;
import java.io.IOException;
import java.util.List;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/** The committables' format: version 2, and version 1 of 0.1.0 read from committed bytes. */
class BatchCommittableSerializerTest {

    static final BatchCommittable<String> SAMPLE =
            new BatchCommittable<>(
                    new CheckpointBatchId("aligned", 1, "0a1b2c", 4), List.of("a", "b"));

    private final BatchCommittableSerializer<String> serializer =
            new BatchCommittableSerializer<>(StringSerializer.INSTANCE);

    @Test
    void roundTrips() throws Exception {
        BatchCommittable<String> read = serializer.deserialize(2, serializer.serialize(SAMPLE));
        assertThat(read).isEqualTo(SAMPLE);
        assertThat(read.toBatch().id().value()).isEqualTo("sink%3Aaligned/1-0a1b2c/4-4");
    }

    @Test
    void readsTheCommittedVersion2Bytes() throws Exception {
        assertThat(serializer.deserialize(2, SerializerSnapshots.read(2, "batch-committable.bin")))
                .isEqualTo(SAMPLE);
    }

    /** A batch of 0.1.0's checkpoint-aligned sink keeps the identity it had, and its elements. */
    @Test
    void readsTheCommittedVersion1BytesOfTheCheckpointAlignedSink() throws Exception {
        BatchCommittable<String> read =
                serializer.deserialize(
                        1, SerializerSnapshots.read(1, "batch-committable-aligned.bin"));
        assertThat(read).isEqualTo(SAMPLE);
        assertThat(read.toBatch().id().value()).isEqualTo("sink%3Aaligned/1-0a1b2c/4-4");
        // Written again, it is version 2, without the sequences.
        assertThat(serializer.deserialize(2, serializer.serialize(read))).isEqualTo(SAMPLE);
    }

    /** A batch of 0.1.0's IdempotentSink (origin identity) is refused, saying what to do. */
    @Test
    void refusesTheVersion1BytesOfAnOriginIdentity() {
        assertThatThrownBy(
                        () ->
                                serializer.deserialize(
                                        1, SerializerSnapshots.read(1, "batch-committable.bin")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("orders/0/3-7")
                .hasMessageContaining("origin identity")
                .hasMessageContaining("--drain");
    }

    @Disabled("Regenerates the committed snapshot; only when adding a version.")
    @Test
    void writeSnapshot() throws Exception {
        SerializerSnapshots.write(2, "batch-committable.bin", serializer.serialize(SAMPLE));
    }
}
