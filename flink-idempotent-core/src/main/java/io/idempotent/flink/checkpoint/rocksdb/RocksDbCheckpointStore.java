package io.idempotent.flink.checkpoint.rocksdb;

import io.idempotent.flink.checkpoint.CheckpointStoreException;
import io.idempotent.flink.checkpoint.CheckpointStoreFactory;
import io.idempotent.flink.checkpoint.CheckpointTransition;
import io.idempotent.flink.checkpoint.PartitionCheckpoint;
import io.idempotent.flink.checkpoint.PartitionCheckpointStore;
import io.idempotent.flink.storage.SharedRocksDb;
import io.idempotent.flink.storage.WriteDurability;
import io.idempotent.flink.stream.StreamPartition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.PublicEvolving;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The embedded checkpoint store: RocksDB in a local directory. The default for one JVM (a local
 * run, a MiniCluster, a single TaskManager).
 *
 * <p>Every store opened on a directory within one JVM shares one database and one lock, so all
 * subtasks of that JVM see one store. A second process gets a clear error: for several processes or
 * machines use the PostgreSQL store. Each {@link #apply} is one RocksDB write batch, synced by
 * default, whatever the number of partitions it touches.
 *
 * <pre>{@code
 * try (PartitionCheckpointStore store = RocksDbCheckpointStore.open(dir)) {
 *     long epoch = store.acquire(partition);
 *     PartitionCheckpoint checkpoint = store.load(partition);
 * }
 * }</pre>
 */
@PublicEvolving
public final class RocksDbCheckpointStore implements PartitionCheckpointStore {

    private static final String PURPOSE = "RocksDB checkpoint store";
    private static final byte[] FORMAT_KEY = {CheckpointCodec.META_PREFIX, 'f'};
    private static final byte[] FORMAT =
            "io.idempotent.flink.checkpoint-store/1".getBytes(StandardCharsets.UTF_8);

    private final SharedRocksDb handle;
    private final WriteDurability durability;
    private final boolean readOnly;

    private RocksDbCheckpointStore(
            SharedRocksDb handle, WriteDurability durability, boolean readOnly) {
        this.handle = handle;
        this.durability = durability;
        this.readOnly = readOnly;
    }

    /** Opens (creating if missing) the store in {@code directory}, with synced writes. */
    public static RocksDbCheckpointStore open(Path directory) {
        return open(directory, WriteDurability.SYNCED);
    }

    public static RocksDbCheckpointStore open(Path directory, WriteDurability durability) {
        SharedRocksDb handle;
        try {
            handle = SharedRocksDb.open(directory, true, PURPOSE);
        } catch (UncheckedIOException e) {
            throw new CheckpointStoreException(e.getCause().getMessage(), e);
        }
        try {
            synchronized (handle) {
                byte[] format = handle.db().get(FORMAT_KEY);
                if (format == null) {
                    requireEmpty(handle);
                    try (WriteOptions sync = new WriteOptions().setSync(true)) {
                        handle.db().put(sync, FORMAT_KEY, FORMAT);
                    }
                } else {
                    checkFormat(handle, format);
                }
            }
            return new RocksDbCheckpointStore(handle, durability, false);
        } catch (RocksDBException e) {
            handle.close();
            throw new CheckpointStoreException(
                    "Cannot open the " + PURPOSE + " at " + directory, e);
        } catch (RuntimeException e) {
            handle.close();
            throw e;
        }
    }

    /**
     * A factory that opens the store in {@code directory} where the job runs. Every task of one JVM
     * shares the database; processes on other machines cannot reach it.
     */
    public static CheckpointStoreFactory factory(Path directory, WriteDurability durability) {
        String path = directory.toAbsolutePath().toString();
        return () -> open(Path.of(path), durability);
    }

    /**
     * Opens an existing store read-only, also while another process writes to it; it sees the
     * checkpoints as they were when it was opened.
     */
    public static RocksDbCheckpointStore openReadOnly(Path directory) {
        SharedRocksDb handle;
        try {
            handle = SharedRocksDb.openReadOnly(directory, PURPOSE);
        } catch (UncheckedIOException e) {
            throw new CheckpointStoreException(e.getCause().getMessage(), e);
        }
        try {
            byte[] format = handle.db().get(FORMAT_KEY);
            if (format == null) {
                throw foreign(handle);
            }
            checkFormat(handle, format);
            return new RocksDbCheckpointStore(handle, WriteDurability.SYNCED, true);
        } catch (RocksDBException e) {
            handle.close();
            throw new CheckpointStoreException(
                    "Cannot open the " + PURPOSE + " at " + directory, e);
        } catch (RuntimeException e) {
            handle.close();
            throw e;
        }
    }

    @Override
    public long acquire(StreamPartition partition) {
        return acquireAll(List.of(partition)).get(partition);
    }

    @Override
    public Map<StreamPartition, Long> acquireAll(Collection<StreamPartition> partitions) {
        synchronized (handle) {
            Map<StreamPartition, PartitionCheckpoint> acquired = new LinkedHashMap<>();
            Map<StreamPartition, Long> epochs = new LinkedHashMap<>();
            for (StreamPartition partition : partitions) {
                PartitionCheckpoint current = load(partition);
                acquired.put(
                        partition,
                        new PartitionCheckpoint(
                                current.epoch() + 1, current.committed(), current.pending()));
                epochs.put(partition, current.epoch() + 1);
            }
            write(acquired);
            return epochs;
        }
    }

    @Override
    public PartitionCheckpoint load(StreamPartition partition) {
        byte[] value;
        try {
            value = handle.db().get(CheckpointCodec.key(partition));
        } catch (RocksDBException e) {
            throw new CheckpointStoreException(
                    "Cannot read the checkpoint of " + partition + " from " + where(), e);
        }
        if (value == null) {
            return PartitionCheckpoint.INITIAL;
        }
        try {
            return CheckpointCodec.decode(value);
        } catch (IOException e) {
            throw new CheckpointStoreException(
                    String.format(
                            "The checkpoint of %s in %s is unreadable (%s). Nothing was changed;"
                                    + " restore the directory from a backup, or move it away to"
                                    + " start that partition from scratch.",
                            partition, where(), e.getMessage()),
                    e);
        }
    }

    @Override
    public void apply(List<? extends CheckpointTransition> transitions) {
        if (transitions.isEmpty()) {
            return;
        }
        synchronized (handle) {
            write(CheckpointTransition.applyAll(transitions, this::load));
        }
    }

    @Override
    public void close() {
        handle.close();
    }

    private void write(Map<StreamPartition, PartitionCheckpoint> checkpoints) {
        if (readOnly) {
            throw new CheckpointStoreException(where() + " was opened read-only.");
        }
        try (WriteBatch batch = new WriteBatch();
                WriteOptions options =
                        new WriteOptions().setSync(durability == WriteDurability.SYNCED)) {
            for (Map.Entry<StreamPartition, PartitionCheckpoint> entry : checkpoints.entrySet()) {
                batch.put(
                        CheckpointCodec.key(entry.getKey()),
                        CheckpointCodec.encode(entry.getValue()));
            }
            handle.db().write(options, batch);
        } catch (RocksDBException e) {
            throw new CheckpointStoreException(
                    "Cannot write checkpoints of " + checkpoints.keySet() + " to " + where(), e);
        }
    }

    @Override
    public Map<StreamPartition, PartitionCheckpoint> list() {
        Map<StreamPartition, PartitionCheckpoint> all = new LinkedHashMap<>();
        try (org.rocksdb.RocksIterator row = handle.db().newIterator()) {
            for (row.seek(new byte[] {CheckpointCodec.PARTITION_PREFIX});
                    row.isValid();
                    row.next()) {
                byte[] key = row.key();
                if (key[0] != CheckpointCodec.PARTITION_PREFIX) {
                    break;
                }
                StreamPartition partition = CheckpointCodec.partition(key);
                try {
                    all.put(partition, CheckpointCodec.decode(row.value()));
                } catch (IOException e) {
                    throw new CheckpointStoreException(
                            String.format(
                                    "The checkpoint of %s in %s is unreadable (%s).",
                                    partition, where(), e.getMessage()),
                            e);
                }
            }
        }
        return all;
    }

    private String where() {
        return "the " + PURPOSE + " at " + handle.directory();
    }

    private static void requireEmpty(SharedRocksDb handle) {
        try (org.rocksdb.RocksIterator any = handle.db().newIterator()) {
            any.seekToFirst();
            if (any.isValid()) {
                throw foreign(handle);
            }
        }
    }

    private static void checkFormat(SharedRocksDb handle, byte[] format) {
        if (!java.util.Arrays.equals(format, FORMAT)) {
            throw new CheckpointStoreException(
                    String.format(
                            "The %s at %s has format '%s', but this version reads '%s'.",
                            PURPOSE,
                            handle.directory(),
                            new String(format, StandardCharsets.UTF_8),
                            new String(FORMAT, StandardCharsets.UTF_8)));
        }
    }

    private static CheckpointStoreException foreign(SharedRocksDb handle) {
        return new CheckpointStoreException(
                String.format(
                        "The directory %s holds a RocksDB database that is not a checkpoint store"
                                + " (a local stream?). Give the store a directory of its own.",
                        handle.directory()));
    }
}
