package io.idempotent.flink.source.enumerator;

import static org.assertj.core.api.Assertions.assertThat;

import io.idempotent.flink.source.split.PartitionSplit;
import io.idempotent.flink.stream.StreamPartition;
import io.idempotent.flink.testutils.SerializerSnapshots;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

class EnumeratorStateSerializerTest {

    static final EnumeratorState SAMPLE =
            new EnumeratorState(
                    Set.of("0", "1", "2"),
                    List.of(new PartitionSplit(new StreamPartition("orders", "2"), 5, 99, null)));

    private final EnumeratorStateSerializer serializer = new EnumeratorStateSerializer();

    @Test
    void roundTrips() throws Exception {
        assertThat(serializer.deserialize(1, serializer.serialize(SAMPLE))).isEqualTo(SAMPLE);
    }

    @Test
    void readsTheCommittedVersion1Bytes() throws Exception {
        assertThat(serializer.deserialize(1, SerializerSnapshots.read(1, "enumerator-state.bin")))
                .isEqualTo(SAMPLE);
    }

    @Disabled("Regenerates the committed snapshot; only when adding a version.")
    @Test
    void writeSnapshot() throws Exception {
        SerializerSnapshots.write(1, "enumerator-state.bin", serializer.serialize(SAMPLE));
    }
}
