package io.idempotent.flink.examples.job;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.destination.IdempotentDestination;
import io.idempotent.flink.destination.file.FileDestination;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example job's observing wrapper keeps every check of the destination it wraps. */
class ObservedDestinationTest {

    @Test
    void keepsTheFileDestinationsNameLengthCheck(@TempDir Path dir) throws Exception {
        BatchId longest =
                BatchId.of(
                        "sink",
                        new StreamPartition("s".repeat(300), "0"),
                        SequenceRange.of(Long.MAX_VALUE, Long.MAX_VALUE));
        try (IdempotentDestination<String> observed =
                ObservedDestination.around(
                                FileDestination.factory(
                                        dir,
                                        (String line) -> line.getBytes(StandardCharsets.UTF_8)))
                        .create()) {
            assertThatThrownBy(() -> observed.requireHoldable(longest))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("longer than");
        }
    }
}
