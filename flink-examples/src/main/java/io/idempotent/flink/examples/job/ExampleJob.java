package io.idempotent.flink.examples.job;

import io.idempotent.flink.checkpoint.PartitionCheckpoint;
import io.idempotent.flink.checkpoint.SinkScopedStore;
import io.idempotent.flink.checkpoint.rocksdb.RocksDbCheckpointStore;
import io.idempotent.flink.destination.file.FileDestination;
import io.idempotent.flink.origin.Traced;
import io.idempotent.flink.sink.IdempotentSink;
import io.idempotent.flink.source.IdempotentSource;
import io.idempotent.flink.source.StartingPosition;
import io.idempotent.flink.storage.WriteDurability;
import io.idempotent.flink.stream.PartitionRecord;
import io.idempotent.flink.stream.StreamPartition;
import io.idempotent.flink.stream.local.LocalStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The example pipeline: the embedded stream → {@link IdempotentSource} → a transformation → {@link
 * IdempotentSink} → one file per batch, on a local Flink cluster in this JVM, with checkpointing
 * and injected failures (alternately in the user's processing and in the destination).
 */
public final class ExampleJob {

    /** The sink's name: its files are under {@code <out>/example/}, its checkpoints too. */
    public static final String SINK = "example";

    /** What a run needs; see {@link io.idempotent.flink.examples.cli.JobCommand}. */
    public record Settings(
            Path streamDir,
            Path storeDir,
            Path outDir,
            Path flinkCheckpointDir,
            int parallelism,
            Duration checkpointInterval,
            int failures,
            long totalRecords) {}

    static final AtomicLong PROCESSED = new AtomicLong();
    static final AtomicInteger PROCESSING_FAILURES_LEFT = new AtomicInteger();
    static volatile long failEvery;

    private ExampleJob() {}

    /** Runs the job to the end of the stream as it is now. */
    public static void run(Settings settings) throws Exception {
        // Failures alternate: user processing, then the destination (applied, then timed out).
        PROCESSED.set(0);
        PROCESSING_FAILURES_LEFT.set((settings.failures() + 1) / 2);
        ObservedDestination.injectTimeouts(settings.failures() / 2);
        failEvery = Math.max(1, settings.totalRecords() / (settings.failures() + 1));

        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS,
                settings.failures() + 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        // The batches wait in Flink's checkpointed state between their checkpoint and their
        // commit: keep checkpoints in files, not in the JobManager's memory (5 MB at most).
        conf.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                settings.flinkCheckpointDir().toUri().toString());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(conf);
        env.setParallelism(settings.parallelism());
        env.enableCheckpointing(settings.checkpointInterval().toMillis());

        IdempotentSource source =
                IdempotentSource.builder().stream(LocalStream.factory(settings.streamDir()))
                        .startingFrom(StartingPosition.CHECKPOINT_STORE)
                        .checkpointStore(
                                RocksDbCheckpointStore.factory(
                                        settings.storeDir(), WriteDurability.SYNCED))
                        .bounded()
                        .build();
        IdempotentSink<String> sink =
                IdempotentSink.<String>builder()
                        .name(SINK)
                        .destination(
                                ObservedDestination.around(
                                        FileDestination.factory(
                                                settings.outDir(),
                                                line -> line.getBytes(StandardCharsets.UTF_8))))
                        .checkpointStore(
                                RocksDbCheckpointStore.factory(
                                        settings.storeDir(), WriteDurability.SYNCED))
                        .build();

        env.fromSource(source, WatermarkStrategy.noWatermarks(), "local stream")
                .map(new Transform())
                .returns(TypeInformation.of(new TypeHint<Traced<String>>() {}))
                .name("transform")
                .sinkTo(sink)
                .name("files");
        env.execute("idempotent-example");
    }

    /** Committed records over all partitions, read from the checkpoint store. */
    public static long committed(LocalStream stream, Path storeDir) {
        try (SinkScopedStore store =
                SinkScopedStore.of(SINK, RocksDbCheckpointStore.open(storeDir))) {
            long committed = 0;
            for (String partition : stream.partitions()) {
                PartitionCheckpoint checkpoint =
                        store.load(new StreamPartition(stream.qualifiedName(), partition));
                committed += checkpoint.nextSequence();
            }
            return committed;
        }
    }

    public static long sends() {
        return ObservedDestination.SENDS.get();
    }

    public static long resends() {
        return ObservedDestination.RESENDS.get();
    }

    public static long repeatsDropped() {
        return ObservedDestination.REPEATS_DROPPED.get();
    }

    /**
     * Tags each record with its origin and upper-cases the payload: deterministic, as the guarantee
     * requires. Throws now and then, as user code does.
     */
    static final class Transform implements MapFunction<Traced<PartitionRecord>, Traced<String>> {
        @Override
        public Traced<String> map(Traced<PartitionRecord> traced) {
            long processed = PROCESSED.incrementAndGet();
            if (processed % failEvery == 0
                    && PROCESSING_FAILURES_LEFT.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
                System.out.printf(
                        "  ! injected failure: user processing threw at record %s%n",
                        traced.origin());
                throw new IllegalStateException("injected failure in user processing");
            }
            return traced.map(
                    record ->
                            record.partition()
                                    + ":"
                                    + record.sequence()
                                    + " "
                                    + new String(record.payload(), StandardCharsets.UTF_8)
                                            .toUpperCase(Locale.ROOT));
        }
    }
}
