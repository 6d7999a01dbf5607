package io.idempotent.flink.destination.file;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.destination.Batch;
import io.idempotent.flink.destination.DestinationFactory;
import io.idempotent.flink.destination.ElementEncoder;
import io.idempotent.flink.destination.IdempotentDestination;
import io.idempotent.flink.destination.SendOutcome;
import io.idempotent.flink.destination.UnencodableElementException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Writes each batch to one file whose name is derived from the batch identity: {@code
 * <directory>/<sink>/<stream>/<partition>/<from>-<to>.batch} (an {@code IdempotentSink}'s batch),
 * one encoded element per line.
 *
 * <p>A batch is written to a temporary file, fsync'd, and atomically renamed; then the directory is
 * fsync'd. A repeat finds the file and writes nothing. For exactly-once the file system must offer
 * atomic rename within a directory (local file systems, HDFS; not plain object stores) and nobody
 * else may write under the directory.
 *
 * <pre>{@code
 * IdempotentDestination<String> files =
 *         FileDestination.create(Path.of("/data/out"), line -> line.getBytes(UTF_8));
 * }</pre>
 */
@PublicEvolving
public final class FileDestination<T> implements IdempotentDestination<T> {

    static final String SUFFIX = ".batch";
    private static final int MAX_NAME_BYTES = 255;

    private final Path directory;
    private final ElementEncoder<T> encoder;

    private FileDestination(Path directory, ElementEncoder<T> encoder) {
        this.directory = directory.toAbsolutePath().normalize();
        this.encoder = encoder;
    }

    public static <T> FileDestination<T> create(Path directory, ElementEncoder<T> encoder) {
        return new FileDestination<>(
                Objects.requireNonNull(directory, "directory"),
                Objects.requireNonNull(encoder, "encoder"));
    }

    /** A factory for sinks: each committer creates its own destination on {@code directory}. */
    public static <T> DestinationFactory<T> factory(Path directory, ElementEncoder<T> encoder) {
        String path = directory.toAbsolutePath().toString();
        Objects.requireNonNull(encoder, "encoder");
        return () -> create(Path.of(path), encoder);
    }

    /** The file that holds (or will hold) the batch {@code id}, relative to the directory. */
    @Override
    public String plannedLocation(BatchId id) {
        String[] segments = id.value().split("/", -1);
        for (String segment : segments) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException(
                        "Batch id '" + id + "' cannot be a file path: empty, '.' or '..' segment.");
            }
        }
        return id.value() + SUFFIX;
    }

    /** Every directory and file name of the path must fit a file system's 255-byte limit. */
    @Override
    public void requireHoldable(BatchId longest) {
        String location = plannedLocation(longest);
        String[] names = location.split("/");
        // The temporary file's name is the longest: "." + name + "." + UUID + ".tmp".
        names[names.length - 1] = "." + names[names.length - 1] + "." + UUID.randomUUID() + ".tmp";
        for (String name : names) {
            if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
                throw new IllegalArgumentException(
                        String.format(
                                "the file destination's path %s has a name longer than %d bytes.",
                                location, MAX_NAME_BYTES));
            }
        }
    }

    @Override
    public SendOutcome send(Batch<T> batch) throws IOException {
        Path target = directory.resolve(plannedLocation(batch.id()));
        if (Files.exists(target)) {
            return SendOutcome.REPEAT_DROPPED;
        }
        Path parent = target.getParent();
        Files.createDirectories(parent);
        Path temporary =
                parent.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            try (FileChannel channel =
                            FileChannel.open(
                                    temporary,
                                    StandardOpenOption.CREATE_NEW,
                                    StandardOpenOption.WRITE);
                    OutputStream out =
                            new java.io.BufferedOutputStream(
                                    java.nio.channels.Channels.newOutputStream(channel), 1 << 16)) {
                List<T> elements = batch.elements();
                for (int i = 0; i < elements.size(); i++) {
                    out.write(encode(batch, i));
                    out.write('\n');
                }
                out.flush();
                channel.force(true);
            }
            try {
                // Two owners racing on one identity write the same content, so it does not matter
                // whether rename replaces the file (Linux) or refuses (elsewhere).
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException e) {
                return SendOutcome.REPEAT_DROPPED;
            }
            syncDirectory(parent);
            return SendOutcome.APPLIED;
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private byte[] encode(Batch<T> batch, int index) throws UnencodableElementException {
        try {
            return encoder.encode(batch.elements().get(index));
        } catch (Exception e) {
            throw new UnencodableElementException(batch.id(), index, e);
        }
    }

    public Path directory() {
        return directory;
    }

    private static void syncDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
