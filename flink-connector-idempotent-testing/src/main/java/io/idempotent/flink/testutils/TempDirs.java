package io.idempotent.flink.testutils;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Temporary directories for tests that cannot use JUnit's {@code @TempDir} (jqwik tries). */
public final class TempDirs {

    private TempDirs() {}

    public static Path create(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void delete(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Deletes {@code directory}, retrying for up to two seconds while something (a RocksDB instance
     * closing after a cancelled job) still writes into it; never fails the test.
     */
    public static void deleteEventually(Path directory) {
        for (int attempt = 0; attempt < 20 && Files.exists(directory); attempt++) {
            try {
                delete(directory);
            } catch (UncheckedIOException e) {
                // a file vanished or appeared during the walk: try again
            }
            if (Files.exists(directory)) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
