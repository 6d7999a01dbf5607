package io.idempotent.flink.sink;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.idempotent.flink.checkpoint.InMemoryCheckpointStore;
import io.idempotent.flink.destination.file.FileDestination;
import io.idempotent.flink.sink.aligned.CheckpointAlignedSink;
import io.idempotent.flink.source.IdempotentSource;
import io.idempotent.flink.source.StartingPosition;
import io.idempotent.flink.stream.local.LocalStream;
import java.nio.file.Path;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/** Builders refuse incomplete or conflicting settings with full sentences. */
class IdempotentSinkBuilderTest {

    @Test
    void theSinkNeedsAStableValidName() {
        assertThatThrownBy(() -> IdempotentSink.<String>builder().build())
                .hasMessageStartingWith("The sink needs a name: call name(...)");
        for (String bad : new String[] {"", "a/b", "two words", "-x", "x".repeat(65), "ü"}) {
            assertThatThrownBy(() -> IdempotentSink.<String>builder().name(bad).build())
                    .as(bad)
                    .hasMessageStartingWith("A sink name has 1 to 64 letters, digits");
        }
    }

    @Test
    void theSinkNeedsDestinationAndStore() {
        assertThatThrownBy(() -> IdempotentSink.<String>builder().name("n").build())
                .hasMessage(
                        "The sink needs a destination: call destination(...), e.g."
                                + " destination(FileDestination.factory(dir, encoder)).");
        assertThatThrownBy(
                        () ->
                                IdempotentSink.<String>builder()
                                        .name("n")
                                        .destination(
                                                FileDestination.factory(
                                                        Path.of("out"), String::getBytes))
                                        .build())
                .hasMessageContaining("needs a partition checkpoint store");
    }

    @Test
    void nonSerializableFactoriesAreRefusedAtBuildTime() {
        InMemoryCheckpointStore notSerializable = new InMemoryCheckpointStore();
        assertThatThrownBy(
                        () ->
                                IdempotentSink.<String>builder()
                                        .name("n")
                                        .destination(
                                                FileDestination.factory(
                                                        Path.of("out"), String::getBytes))
                                        .checkpointStore(() -> notSerializable)
                                        .build())
                .hasMessageContaining("The checkpoint store factory must be serializable");
    }

    @Test
    void theCheckpointAlignedSinkNeedsATypeANameAndNoStore() {
        assertThatThrownBy(
                        () ->
                                CheckpointAlignedSink.<String>builder()
                                        .name("totals")
                                        .destination(
                                                FileDestination.factory(
                                                        Path.of("out"), String::getBytes))
                                        .build())
                .hasMessage(
                        "The sink needs the element type to checkpoint batches: call"
                                + " elementType(...), e.g. elementType(Types.STRING).");
        for (String bad : new String[] {"a/b", "two words", "-x", "x".repeat(65)}) {
            assertThatThrownBy(
                            () ->
                                    CheckpointAlignedSink.<String>builder()
                                            .name(bad)
                                            .elementType(Types.STRING)
                                            .destination(
                                                    FileDestination.factory(
                                                            Path.of("out"), String::getBytes))
                                            .build())
                    .as(bad)
                    .hasMessageStartingWith("A sink name has 1 to 64 letters, digits");
        }
        assertThatThrownBy(
                        () ->
                                CheckpointAlignedSink.<String>builder()
                                        .options(
                                                Configuration.fromMap(
                                                        Map.of("sink.delivery-mode", "eager"))))
                .hasMessageContaining("sink.delivery-mode = eager needs origin identities");
    }

    @Test
    void theSourceNeedsAStreamAndTheStoreToStartFromIt() {
        assertThatThrownBy(() -> IdempotentSource.builder().build())
                .hasMessage(
                        "No stream to read: call stream(...), e.g. stream(LocalStream.factory(dir)).");
        assertThatThrownBy(
                        () ->
                                IdempotentSource.builder().stream(LocalStream.factory(Path.of("s")))
                                        .startingFrom(StartingPosition.CHECKPOINT_STORE)
                                        .build())
                .hasMessageContaining("Starting from the checkpoint store needs the store");
    }
}
