package io.idempotent.flink.stream.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.idempotent.flink.stream.PartitionRecord;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

class RecordCodecTest {

    private static final String SNAPSHOT = "/serializer-snapshots/v1/local-stream-record.bin";
    private static final byte[] KEY = "key".getBytes(StandardCharsets.UTF_8);
    private static final byte[] PAYLOAD = "payload".getBytes(StandardCharsets.UTF_8);

    @Test
    void roundTripsWithAndWithoutKey() {
        assertThat(RecordCodec.decodeValue("0", 4, RecordCodec.encodeValue(KEY, PAYLOAD, 99)))
                .isEqualTo(new PartitionRecord("0", 4, KEY, PAYLOAD, 99));
        assertThat(RecordCodec.decodeValue("0", 4, RecordCodec.encodeValue(null, PAYLOAD, 99)))
                .isEqualTo(new PartitionRecord("0", 4, null, PAYLOAD, 99));
    }

    @Test
    void readsBytesWrittenByVersion1() throws IOException {
        try (InputStream in = getClass().getResourceAsStream(SNAPSHOT)) {
            assertThat(in).as("committed snapshot " + SNAPSHOT).isNotNull();
            assertThat(RecordCodec.decodeValue("3", 17, in.readAllBytes()))
                    .isEqualTo(new PartitionRecord("3", 17, KEY, PAYLOAD, 1_700_000_000_000L));
        }
    }

    @Test
    void refusesUnknownVersionsAndBadLengths() {
        byte[] bytes = RecordCodec.encodeValue(KEY, PAYLOAD, 1);
        byte[] future = bytes.clone();
        future[0] = 2;
        assertThatThrownBy(() -> RecordCodec.decodeValue("0", 0, future))
                .hasMessageContaining("unknown record format version 2");
        assertThatThrownBy(
                        () ->
                                RecordCodec.decodeValue(
                                        "0", 0, Arrays.copyOf(bytes, bytes.length + 1)))
                .hasMessageContaining("does not match");
        assertThatThrownBy(() -> RecordCodec.decodeValue("0", 0, new byte[3]))
                .hasMessageContaining("too short");
    }

    @Test
    void keysSortBySequenceWithinAPartition() {
        assertThat(
                        Arrays.compareUnsigned(
                                RecordCodec.recordKey(1, 255), RecordCodec.recordKey(1, 256)))
                .isNegative();
        assertThat(RecordCodec.isRecordOf(RecordCodec.recordKey(2, 5), 2)).isTrue();
        assertThat(RecordCodec.isRecordOf(RecordCodec.recordKey(2, 5), 3)).isFalse();
        assertThat(RecordCodec.sequenceOf(RecordCodec.recordKey(2, 5))).isEqualTo(5);
    }

    @Disabled("Regenerates the committed snapshot; run by hand only when adding a new version.")
    @Test
    void writeSnapshot() throws IOException {
        Path target = Path.of("src/test/resources" + SNAPSHOT);
        Files.createDirectories(target.getParent());
        Files.write(target, RecordCodec.encodeValue(KEY, PAYLOAD, 1_700_000_000_000L));
    }
}
