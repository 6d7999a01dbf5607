package io.idempotent.flink.storage;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.checkpoint.CheckpointTransition;
import io.idempotent.flink.checkpoint.PendingCheckpoint;
import io.idempotent.flink.checkpoint.rocksdb.RocksDbCheckpointStore;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import io.idempotent.flink.stream.local.LocalStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.RocksDB;

/**
 * The child process of {@link CrossVersionTest}: writes a local stream and a checkpoint store the
 * way a standalone tool does (on whatever RocksDB its class path has), closes both, opens them
 * again, and prints the RocksDB version it ran on.
 */
public final class CrossVersionWriter {

    static final int RECORDS = 5_000;

    public static void main(String[] args) {
        Path streamDir = Path.of(args[0]);
        Path storeDir = Path.of(args[1]);
        try (LocalStream stream = LocalStream.create(streamDir, "written", 1);
                RocksDbCheckpointStore store = RocksDbCheckpointStore.open(storeDir)) {
            List<LocalStream.NewRecord> records = new ArrayList<>();
            for (int i = 0; i < RECORDS; i++) {
                records.add(
                        LocalStream.NewRecord.of(
                                ("record-" + i).getBytes(StandardCharsets.UTF_8), i));
            }
            SequenceRange appended = stream.appendAll("0", records);
            StreamPartition key = new StreamPartition("written", "0");
            long epoch = store.acquire(key);
            store.apply(
                    List.of(
                            CheckpointTransition.markPending(
                                    key,
                                    epoch,
                                    new PendingCheckpoint(
                                            appended, BatchId.of(key, appended), null))));
        }
        // Opened again, as the operator tools open a store a job wrote: RocksDB turns the
        // write-ahead log it recovers into table files, in its own format.
        LocalStream.open(streamDir).close();
        RocksDbCheckpointStore.open(storeDir).close();
        RocksDB.loadLibrary();
        System.out.println(RocksDB.rocksdbVersion());
    }
}
