package io.idempotent.flink.testutils;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Committed bytes of each state serializer's versions, under {@code
 * src/test/resources/serializer-snapshots/v<N>/}, so that a change that breaks savepoints fails the
 * build. {@link #write} regenerates one; only when a new version is added.
 */
public final class SerializerSnapshots {

    private SerializerSnapshots() {}

    public static byte[] read(int version, String name) {
        String resource = "/serializer-snapshots/v" + version + "/" + name;
        try (InputStream in = SerializerSnapshots.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new AssertionError("missing committed snapshot " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void write(int version, String name, byte[] bytes) {
        Path target = Path.of("src/test/resources/serializer-snapshots/v" + version, name);
        try {
            Files.createDirectories(target.getParent());
            Files.write(target, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
