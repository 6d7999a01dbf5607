package io.idempotent.flink.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/**
 * A RocksDB database opened once per JVM and directory and shared by reference count.
 *
 * <p>RocksDB lets a single process open a directory for writing. Every subtask of a Flink job that
 * runs in one TaskManager JVM must therefore share one handle, and a second process must get a
 * clear error instead of a raw lock failure.
 *
 * <p>Uses only the RocksDB API that rocksdbjni and Flink's frocksdbjni 8.10 have in common: inside
 * Flink, {@code org.rocksdb} classes come from Flink's state backend.
 */
@Internal
public final class SharedRocksDb implements AutoCloseable {

    private static final Map<Path, SharedRocksDb> OPEN = new HashMap<>();

    private final Path directory;
    private final RocksDB db;
    private final Options options;
    private int references;

    private SharedRocksDb(Path directory, RocksDB db, Options options) {
        this.directory = directory;
        this.db = db;
        this.options = options;
    }

    /**
     * Opens the database in {@code directory} for reading and writing, or returns the handle this
     * JVM already holds. {@code purpose} names what the directory is for in error messages. A
     * directory that holds files but no database is refused, so that nothing is created in the
     * middle of somebody else's files.
     */
    public static SharedRocksDb open(Path directory, boolean createIfMissing, String purpose) {
        Path key = canonical(directory);
        synchronized (OPEN) {
            SharedRocksDb shared = OPEN.get(key);
            if (shared == null) {
                shared = openNew(key, createIfMissing, purpose);
                OPEN.put(key, shared);
            }
            shared.references++;
            return shared;
        }
    }

    /**
     * Opens a database read-only, for a process that inspects a directory while another process
     * writes to it. Not shared: the caller closes it.
     */
    public static SharedRocksDb openReadOnly(Path directory, String purpose) {
        Path key = canonical(directory);
        synchronized (OPEN) {
            SharedRocksDb shared = OPEN.get(key);
            if (shared != null) {
                shared.references++;
                return shared;
            }
        }
        requireExisting(key, purpose);
        RocksDB.loadLibrary();
        Options options = new Options();
        try {
            SharedRocksDb readOnly =
                    new SharedRocksDb(key, RocksDB.openReadOnly(options, key.toString()), options);
            readOnly.references = 1;
            return readOnly;
        } catch (RocksDBException e) {
            options.close();
            throw new UncheckedIOException(
                    new IOException(
                            String.format(
                                    "Cannot open %s at %s for reading: %s",
                                    purpose, key, e.getMessage()),
                            e));
        }
    }

    public RocksDB db() {
        return db;
    }

    public Path directory() {
        return directory;
    }

    @Override
    public void close() {
        synchronized (OPEN) {
            if (references <= 0 || --references > 0) {
                return;
            }
            OPEN.remove(directory, this);
            // Inside the lock: RocksDB's directory lock must be released before anyone in this
            // JVM opens the directory again.
            db.close();
            options.close();
        }
    }

    private static SharedRocksDb openNew(Path directory, boolean createIfMissing, String purpose) {
        if (createIfMissing) {
            // Under the lock: another thread of this JVM may be creating the database right now.
            requireEmptyOrRocksDb(directory, purpose);
        } else {
            requireExisting(directory, purpose);
        }
        RocksDB.loadLibrary();
        Options options = new Options().setCreateIfMissing(createIfMissing);
        try {
            Files.createDirectories(directory);
            return new SharedRocksDb(
                    directory, RocksDB.open(options, directory.toString()), options);
        } catch (RocksDBException e) {
            options.close();
            throw new UncheckedIOException(explain(directory, purpose, e));
        } catch (IOException e) {
            options.close();
            throw new UncheckedIOException(
                    String.format("Cannot create the directory %s for %s.", directory, purpose), e);
        }
    }

    private static IOException explain(Path directory, String purpose, RocksDBException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("lock") || message.contains("LOCK")) {
            return new IOException(
                    String.format(
                            "The %s at %s is held by another process (%s). RocksDB allows one"
                                    + " process per directory: stop the other process, or give"
                                    + " each process its own directory, or use a store that"
                                    + " several processes can share (the PostgreSQL checkpoint"
                                    + " store).",
                            purpose, directory, message),
                    e);
        }
        return new IOException(
                String.format(
                        "Cannot open the %s at %s: %s. If the directory holds something else,"
                                + " choose another directory.",
                        purpose, directory, message),
                e);
    }

    private static void requireEmptyOrRocksDb(Path directory, String purpose) {
        if (!Files.isDirectory(directory) || Files.exists(directory.resolve("CURRENT"))) {
            return;
        }
        try (java.util.stream.Stream<Path> entries = Files.list(directory)) {
            if (entries.findAny().isPresent()) {
                throw new UncheckedIOException(
                        new IOException(
                                String.format(
                                        "The directory %s is not empty and holds no RocksDB"
                                                + " database; refusing to create a %s there."
                                                + " Choose an empty or new directory.",
                                        directory, purpose)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + directory, e);
        }
    }

    private static void requireExisting(Path directory, String purpose) {
        if (!Files.isDirectory(directory)) {
            throw new UncheckedIOException(
                    new IOException(
                            String.format(
                                    "There is no %s at %s (no such directory).",
                                    purpose, directory)));
        }
    }

    private static Path canonical(Path directory) {
        return directory.toAbsolutePath().normalize();
    }
}
