package io.idempotent.flink.destination.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.destination.Batch;
import io.idempotent.flink.destination.SendOutcome;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileDestinationTest {

    @TempDir Path directory;

    private final StreamPartition partition = new StreamPartition("orders", "3");

    private FileDestination<String> destination() {
        return FileDestination.create(directory, s -> s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void writesOneFilePerBatchAndDropsRepeats() throws Exception {
        Batch<String> batch = Batch.of(partition, SequenceRange.of(10, 12), List.of("a", "b"));
        assertThat(destination().send(batch)).isEqualTo(SendOutcome.APPLIED);
        assertThat(destination().send(batch)).isEqualTo(SendOutcome.REPEAT_DROPPED);

        Path file = directory.resolve("orders/3/10-12.batch");
        assertThat(Files.readAllLines(file)).containsExactly("a", "b");
        try (var files = Files.walk(directory)) {
            assertThat(files.filter(Files::isRegularFile)).containsExactly(file);
        }
    }

    /** Proves design.md row P3. */
    @Test
    void aLeftoverTemporaryFileFromACrashDoesNotCount() throws Exception {
        Files.createDirectories(directory.resolve("orders/3"));
        Files.writeString(directory.resolve("orders/3/.10-12.batch.dead.tmp"), "a\n");
        Batch<String> batch = Batch.of(partition, SequenceRange.of(10, 12), List.of("a", "b"));
        assertThat(destination().send(batch)).isEqualTo(SendOutcome.APPLIED);
        assertThat(Files.readAllLines(directory.resolve("orders/3/10-12.batch")))
                .containsExactly("a", "b");
    }

    @Test
    void refusesIdentitiesThatWouldEscapeTheDirectory() {
        assertThatThrownBy(() -> destination().plannedLocation(BatchId.parse("../../etc/x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot be a file path");
    }
}
