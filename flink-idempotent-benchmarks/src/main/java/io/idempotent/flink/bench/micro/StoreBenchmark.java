package io.idempotent.flink.bench.micro;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.checkpoint.CheckpointTransition;
import io.idempotent.flink.checkpoint.PendingCheckpoint;
import io.idempotent.flink.checkpoint.rocksdb.RocksDbCheckpointStore;
import io.idempotent.flink.storage.WriteDurability;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One store write of a batch cycle — the commits of the last round and the marks of the next, for
 * every partition at once — on the embedded RocksDB store: how many cycles a second it allows.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class StoreBenchmark {

    @Param({"SYNCED", "RELAXED"})
    public WriteDurability durability;

    @Param({"1", "16"})
    public int partitions;

    private Path dir;
    private RocksDbCheckpointStore store;
    private Map<StreamPartition, Long> epochs;
    private List<StreamPartition> owned;
    private long next;

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = Files.createTempDirectory("store-bench");
        store = RocksDbCheckpointStore.open(dir, durability);
        owned = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            owned.add(new StreamPartition("bench", Integer.toString(p)));
        }
        epochs = store.acquireAll(owned);
        write(null);
    }

    /** Commits every partition's pending range and marks the next one, in one write. */
    @Benchmark
    public void commitAndMarkNext() {
        write(SequenceRange.of(next - 100, next - 1));
    }

    private void write(SequenceRange committed) {
        SequenceRange range = SequenceRange.of(next, next + 99);
        List<CheckpointTransition> transitions = new ArrayList<>(2 * partitions);
        for (StreamPartition partition : owned) {
            long epoch = epochs.get(partition);
            if (committed != null) {
                transitions.add(CheckpointTransition.commit(partition, epoch, committed));
            }
            transitions.add(
                    CheckpointTransition.markPending(
                            partition,
                            epoch,
                            new PendingCheckpoint(range, BatchId.of(partition, range), null)));
        }
        store.apply(transitions);
        next += 100;
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        store.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
