package io.idempotent.flink.storage;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.checkpoint.CheckpointTransition;
import io.idempotent.flink.checkpoint.PartitionCheckpoint;
import io.idempotent.flink.checkpoint.PendingCheckpoint;
import io.idempotent.flink.checkpoint.rocksdb.RocksDbCheckpointStore;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import io.idempotent.flink.stream.local.LocalStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The child process of {@link CrashSafetyTest}: appends to a local stream and moves checkpoints
 * forward as fast as it can, printing each write once it is acknowledged, until it is killed.
 */
public final class CrashWorkload {

    static final int PARTITIONS = 4;

    public static void main(String[] args) throws Exception {
        Path streamDir = Path.of(args[0]);
        Path storeDir = Path.of(args[1]);
        LocalStream stream =
                Files.exists(streamDir.resolve("CURRENT"))
                        ? LocalStream.open(streamDir)
                        : LocalStream.create(streamDir, "crash", PARTITIONS);
        RocksDbCheckpointStore store = RocksDbCheckpointStore.open(storeDir);
        long[] epochs = new long[PARTITIONS];
        for (int p = 0; p < PARTITIONS; p++) {
            epochs[p] = store.acquire(new StreamPartition("crash", Integer.toString(p)));
        }
        System.out.println("READY");
        System.out.flush();
        for (long i = 0; ; i++) {
            int p = (int) (i % PARTITIONS);
            String partition = Integer.toString(p);
            List<LocalStream.NewRecord> records = new ArrayList<>();
            for (int j = 0; j < 10; j++) {
                records.add(
                        LocalStream.NewRecord.of(
                                (partition + ":" + i + ":" + j).getBytes(StandardCharsets.UTF_8),
                                i));
            }
            SequenceRange appended = stream.appendAll(partition, records);
            System.out.println("APPEND " + p + " " + appended.to());

            StreamPartition key = new StreamPartition("crash", partition);
            PartitionCheckpoint checkpoint = store.load(key);
            List<CheckpointTransition> transitions = new ArrayList<>();
            if (checkpoint.pending() != null) {
                transitions.add(
                        CheckpointTransition.commit(key, epochs[p], checkpoint.pending().range()));
            }
            transitions.add(
                    CheckpointTransition.markPending(
                            key,
                            epochs[p],
                            new PendingCheckpoint(appended, BatchId.of(key, appended), null)));
            store.apply(transitions);
            long committed =
                    checkpoint.pending() == null
                            ? checkpoint.committed()
                            : checkpoint.pending().range().to();
            System.out.println(
                    "STORE " + p + " " + committed + " " + appended.from() + " " + appended.to());
            System.out.flush();
        }
    }

    private CrashWorkload() {}
}
