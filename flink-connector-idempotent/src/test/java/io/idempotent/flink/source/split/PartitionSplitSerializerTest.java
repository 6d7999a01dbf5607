package io.idempotent.flink.source.split;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.checkpoint.PendingCheckpoint;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import io.idempotent.flink.testutils.SerializerSnapshots;
import java.util.Arrays;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

class PartitionSplitSerializerTest {

    private static final StreamPartition PARTITION = new StreamPartition("orders", "2");
    static final PartitionSplit SAMPLE =
            new PartitionSplit(
                    PARTITION,
                    40,
                    PartitionSplit.UNBOUNDED,
                    new PendingCheckpoint(
                            SequenceRange.of(40, 59),
                            BatchId.of(PARTITION, SequenceRange.of(40, 59)),
                            "orders/2/40-59.batch"));

    private final PartitionSplitSerializer serializer = new PartitionSplitSerializer();

    @Test
    void roundTrips() throws Exception {
        PartitionSplit plain = new PartitionSplit(PARTITION, 7, 100, null);
        assertThat(serializer.deserialize(1, serializer.serialize(SAMPLE))).isEqualTo(SAMPLE);
        assertThat(serializer.deserialize(1, serializer.serialize(plain))).isEqualTo(plain);
    }

    @Test
    void readsTheCommittedVersion1Bytes() throws Exception {
        assertThat(serializer.deserialize(1, SerializerSnapshots.read(1, "partition-split.bin")))
                .isEqualTo(SAMPLE);
    }

    @Test
    void refusesUnknownVersionsAndTrailingBytes() throws Exception {
        byte[] bytes = serializer.serialize(SAMPLE);
        assertThatThrownBy(() -> serializer.deserialize(2, bytes))
                .hasMessageContaining("serializer version 2; this version reads 1");
        assertThatThrownBy(() -> serializer.deserialize(1, Arrays.copyOf(bytes, bytes.length + 2)))
                .hasMessageContaining("trailing");
    }

    @Test
    void theSplitStateMovesOnAndDropsAReplayedRange() {
        PartitionSplitState state = new PartitionSplitState(SAMPLE);
        state.emittedUpTo(59);
        assertThat(state.toSplit())
                .isEqualTo(new PartitionSplit(PARTITION, 60, PartitionSplit.UNBOUNDED, null));
    }

    @Disabled("Regenerates the committed snapshot; only when adding a version.")
    @Test
    void writeSnapshot() throws Exception {
        SerializerSnapshots.write(1, "partition-split.bin", serializer.serialize(SAMPLE));
    }
}
