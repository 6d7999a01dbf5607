package io.idempotent.flink.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.checkpoint.PendingCheckpoint;
import io.idempotent.flink.checkpoint.rocksdb.RocksDbCheckpointStore;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksDB;

/**
 * A job on Flink's own RocksDB state backend, whose operators also use this library's RocksDB
 * checkpoint store in the same JVM, checkpoints, fails, restores and ends with correct keyed state.
 * This is what a Flink deployment does: {@code org.rocksdb} comes from Flink's frocksdbjni (this
 * test's classpath has no rocksdbjni), and the library must work on it without breaking Flink.
 */
class RocksDbStateBackendCompatibilityITCase {

    private static final int RECORDS = 2_000;
    private static final int KEYS = 4;

    @TempDir static Path checkpoints;

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    () -> {
                        Configuration conf = new Configuration();
                        conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
                        conf.set(
                                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                                checkpoints.toUri().toString());
                        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
                        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
                        conf.set(
                                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY,
                                Duration.ofMillis(100));
                        return new MiniClusterResourceConfiguration.Builder()
                                .setConfiguration(conf)
                                .setNumberTaskManagers(1)
                                .setNumberSlotsPerTaskManager(2)
                                .build();
                    });

    static final AtomicInteger COMPLETED_CHECKPOINTS = new AtomicInteger();
    static final AtomicBoolean FAILED_ONCE = new AtomicBoolean();
    static final AtomicBoolean RESTORED = new AtomicBoolean();
    static final Map<Long, Long> MAX_COUNT = new ConcurrentHashMap<>();

    @Test
    void checkpointsAndRestoresWithTheLibraryOnTheClasspath(@TempDir Path storeDir)
            throws Exception {
        RocksDB.loadLibrary();
        assertThat(RocksDB.rocksdbVersion().getMajor())
                .as("org.rocksdb must come from Flink's frocksdbjni here")
                .isEqualTo(8);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.enableCheckpointing(100);
        env.fromSequence(0, RECORDS - 1)
                // Chained to the source, so that checkpoint barriers are not stuck behind a
                // backlog of buffered records.
                .map(RocksDbStateBackendCompatibilityITCase::slowly)
                .keyBy(value -> value % KEYS)
                .map(new CountingMap(storeDir.toString()))
                .sinkTo(new DiscardingSink<>());
        env.execute("rocksdb-state-backend-compatibility");

        assertThat(FAILED_ONCE).isTrue();
        assertThat(RESTORED).as("the job restored from a checkpoint").isTrue();
        assertThat(COMPLETED_CHECKPOINTS.get()).isPositive();
        for (long key = 0; key < KEYS; key++) {
            assertThat(MAX_COUNT.get(key)).as("count of key %d", key).isEqualTo(RECORDS / KEYS);
        }
        try (RocksDbCheckpointStore store = RocksDbCheckpointStore.open(storeDir)) {
            // Keys may all hash to one subtask: at least one subtask moved its checkpoint on.
            long committed =
                    Math.max(
                            store.load(new StreamPartition("compat", "0")).committed(),
                            store.load(new StreamPartition("compat", "1")).committed());
            assertThat(committed).isPositive();
        }
        assertThat(Files.list(checkpoints)).isNotEmpty();
    }

    private static Long slowly(Long value) throws InterruptedException {
        Thread.sleep(2);
        return value;
    }

    /** Counts per key in RocksDB-backed keyed state and moves a store checkpoint forward. */
    static final class CountingMap extends RichMapFunction<Long, Long>
            implements CheckpointedFunction, CheckpointListener {

        private final String storeDir;
        private transient ValueState<Long> count;
        private transient RocksDbCheckpointStore store;
        private transient StreamPartition partition;
        private transient long epoch;
        private transient long seen;

        CountingMap(String storeDir) {
            this.storeDir = storeDir;
        }

        @Override
        public void open(OpenContext context) {
            count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Long.class));
            store = RocksDbCheckpointStore.open(Path.of(storeDir));
            partition =
                    new StreamPartition(
                            "compat",
                            Integer.toString(
                                    getRuntimeContext().getTaskInfo().getIndexOfThisSubtask()));
            epoch = store.acquire(partition);
        }

        @Override
        public Long map(Long value) throws Exception {
            long next = (count.value() == null ? 0 : count.value()) + 1;
            count.update(next);
            MAX_COUNT.merge(value % KEYS, next, Math::max);
            if (++seen % 50 == 0) {
                long from = store.load(partition).nextSequence();
                SequenceRange range = SequenceRange.of(from, from + 49);
                store.markPending(
                        partition,
                        epoch,
                        new PendingCheckpoint(range, BatchId.of(partition, range), null));
                store.commit(partition, epoch, range);
            }
            if (COMPLETED_CHECKPOINTS.get() > 1 && FAILED_ONCE.compareAndSet(false, true)) {
                throw new RuntimeException("injected failure after a completed checkpoint");
            }
            return value;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) {}

        @Override
        public void initializeState(FunctionInitializationContext context) {
            if (context.isRestored()) {
                RESTORED.set(true);
            }
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            COMPLETED_CHECKPOINTS.incrementAndGet();
        }

        @Override
        public void close() {
            if (store != null) {
                store.close();
            }
        }
    }
}
