package io.idempotent.flink.testutils;

import io.idempotent.flink.testutils.ExactlyOnceVerifier.Origin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads what a file destination really holds: every batch file of a partition in the order of the
 * first sequence number in its name, each line starting with {@code "<partition>:<sequence>"}.
 */
public final class FileDestinationReader {

    private FileDestinationReader() {}

    /** Every batch file under {@code out/<stream>}, per directory in order of first sequence. */
    public static List<Origin> read(Path out, String stream) {
        List<Origin> origins = new ArrayList<>();
        Path streamDir = out.resolve(stream);
        if (!Files.isDirectory(streamDir)) {
            return origins;
        }
        try (Stream<Path> files = Files.walk(streamDir)) {
            for (Path file :
                    files.filter(f -> f.toString().endsWith(".batch"))
                            .sorted(
                                    Comparator.comparing((Path f) -> f.getParent().toString())
                                            .thenComparingLong(FileDestinationReader::from))
                            .toList()) {
                for (String line : Files.readAllLines(file)) {
                    origins.add(OriginLine.parse(line));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return origins;
    }

    /** Every batch file under {@code out}, whatever sink or stream wrote it. */
    public static List<Origin> readAll(Path out) {
        return read(out, ".");
    }

    private static long from(Path file) {
        String name = file.getFileName().toString();
        return Long.parseLong(name.substring(0, name.indexOf('-')));
    }
}
