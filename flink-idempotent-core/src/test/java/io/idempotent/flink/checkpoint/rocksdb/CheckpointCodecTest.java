package io.idempotent.flink.checkpoint.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.checkpoint.PartitionCheckpoint;
import io.idempotent.flink.checkpoint.PendingCheckpoint;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

class CheckpointCodecTest {

    private static final String SNAPSHOT = "/serializer-snapshots/v1/rocksdb-checkpoint.bin";

    private static final PartitionCheckpoint SAMPLE =
            new PartitionCheckpoint(
                    7,
                    41,
                    new PendingCheckpoint(
                            SequenceRange.of(42, 99),
                            BatchId.parse("orders/0/42-99"),
                            "s3://bucket/orders/0/42-99"));

    @Test
    void roundTrips() throws IOException {
        assertThat(CheckpointCodec.decode(CheckpointCodec.encode(SAMPLE))).isEqualTo(SAMPLE);
        assertThat(CheckpointCodec.decode(CheckpointCodec.encode(PartitionCheckpoint.INITIAL)))
                .isEqualTo(PartitionCheckpoint.INITIAL);
    }

    @Test
    void readsBytesWrittenByVersion1() throws IOException {
        try (InputStream in = getClass().getResourceAsStream(SNAPSHOT)) {
            assertThat(in).as("committed snapshot " + SNAPSHOT).isNotNull();
            byte[] version1 = in.readAllBytes();
            assertThat(CheckpointCodec.decode(version1)).isEqualTo(SAMPLE);
            assertThat(CheckpointCodec.encode(SAMPLE))
                    .as("written as version 1")
                    .isEqualTo(version1);
        }
    }

    @Test
    void keysArePrefixStreamLengthStreamAndPartition() {
        assertThat(CheckpointCodec.key(new StreamPartition("sink/s@1", "p7")))
                .containsExactly(1, 0, 0, 0, 8, 's', 'i', 'n', 'k', '/', 's', '@', '1', 'p', '7');
    }

    @Test
    void refusesUnknownVersionsAndTrailingBytes() {
        byte[] bytes = CheckpointCodec.encode(SAMPLE);
        byte[] future = bytes.clone();
        future[0] = 9;
        assertThatThrownBy(() -> CheckpointCodec.decode(future))
                .hasMessageContaining("unknown format version 9; this code reads 1");
        byte[] trailing = Arrays.copyOf(bytes, bytes.length + 1);
        assertThatThrownBy(() -> CheckpointCodec.decode(trailing)).hasMessageContaining("trailing");
        assertThatThrownBy(() -> CheckpointCodec.decode(Arrays.copyOf(bytes, 10)))
                .isInstanceOf(IOException.class);
    }

    @Disabled("Regenerates the committed snapshot; run by hand only when adding a new version.")
    @Test
    void writeSnapshot() throws IOException {
        Path target = Path.of("src/test/resources" + SNAPSHOT);
        Files.createDirectories(target.getParent());
        Files.write(target, CheckpointCodec.encode(SAMPLE));
    }
}
