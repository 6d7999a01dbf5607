package io.idempotent.flink.suites;

import io.idempotent.flink.destination.file.FileDestination;
import io.idempotent.flink.sink.IdempotentSink;
import io.idempotent.flink.testutils.TempDirs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.testframe.external.ExternalSystemDataReader;
import org.apache.flink.connector.testframe.external.sink.TestingSinkSettings;

/**
 * The untraced sink into the file destination, for Flink's sink test suite: the suite writes its
 * own data through the sink and reads back, from the files, what the destination holds.
 */
final class UntracedSinkExternalContext extends StringSinkExternalContext {

    private final Path directory = TempDirs.create("sink-suite");

    @Override
    public Sink<String> createSink(TestingSinkSettings settings) {
        return IdempotentSink.<String>builder()
                .elementType(Types.STRING)
                .destination(
                        FileDestination.factory(
                                directory, line -> line.getBytes(StandardCharsets.UTF_8)))
                .buildForUntracedElements("suite");
    }

    @Override
    public ExternalSystemDataReader<String> createSinkDataReader(TestingSinkSettings settings) {
        Set<Path> read = new HashSet<>();
        return new ExternalSystemDataReader<>() {
            @Override
            public List<String> poll(Duration timeout) {
                List<String> lines = new ArrayList<>();
                if (!Files.isDirectory(directory)) {
                    return lines;
                }
                try (Stream<Path> files = Files.walk(directory)) {
                    for (Path file :
                            files.filter(f -> f.toString().endsWith(".batch")).sorted().toList()) {
                        if (read.add(file)) {
                            lines.addAll(Files.readAllLines(file, StandardCharsets.UTF_8));
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return lines;
            }

            @Override
            public void close() {}
        };
    }

    @Override
    public void close() {
        TempDirs.delete(directory);
    }
}
