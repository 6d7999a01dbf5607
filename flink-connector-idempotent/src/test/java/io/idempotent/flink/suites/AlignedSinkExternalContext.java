package io.idempotent.flink.suites;

import io.idempotent.flink.destination.file.FileDestination;
import io.idempotent.flink.sink.aligned.CheckpointAlignedSink;
import io.idempotent.flink.testutils.TempDirs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.testframe.external.ExternalSystemDataReader;
import org.apache.flink.connector.testframe.external.sink.TestingSinkSettings;

/**
 * the checkpoint-aligned sink into the file destination, for Flink's sink test suite: the suite
 * writes its own data through the sink and reads back, from the files, what the destination holds.
 */
final class AlignedSinkExternalContext extends StringSinkExternalContext
        implements DestinationOrder {

    private final Path directory = TempDirs.create("sink-suite");

    @Override
    public Sink<String> createSink(TestingSinkSettings settings) {
        return CheckpointAlignedSink.<String>builder()
                .name("suite")
                .elementType(Types.STRING)
                .destination(
                        FileDestination.factory(
                                directory, line -> line.getBytes(StandardCharsets.UTF_8)))
                .build();
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
                List<Path> batches;
                try (Stream<Path> files = Files.walk(directory)) {
                    batches = files.filter(f -> f.toString().endsWith(".batch")).sorted().toList();
                } catch (IOException | UncheckedIOException e) {
                    // A committer renamed a temporary file while we walked: look again next poll.
                    return lines;
                }
                for (Path file : batches) {
                    if (read.add(file)) {
                        try {
                            lines.addAll(Files.readAllLines(file, StandardCharsets.UTF_8));
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                }
                return lines;
            }

            @Override
            public void close() {}
        };
    }

    /**
     * Files in the order they were written: by modification time, then (for files written within
     * one clock tick, in one commit) by batch number.
     */
    @Override
    public List<String> readInDestinationOrder() {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.walk(directory)) {
            List<Path> batches = files.filter(f -> f.toString().endsWith(".batch")).toList();
            Map<Path, FileTime> written = new HashMap<>();
            for (Path batch : batches) {
                written.put(batch, Files.getLastModifiedTime(batch));
            }
            List<Path> ordered = new ArrayList<>(batches);
            ordered.sort(
                    Comparator.comparing((Path f) -> written.get(f))
                            .thenComparingLong(
                                    f -> Long.parseLong(f.getFileName().toString().split("-")[0])));
            for (Path batch : ordered) {
                lines.addAll(Files.readAllLines(batch, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return lines;
    }

    @Override
    public void close() {
        TempDirs.delete(directory);
    }
}
