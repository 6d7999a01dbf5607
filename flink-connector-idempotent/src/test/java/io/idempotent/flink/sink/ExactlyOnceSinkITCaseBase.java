package io.idempotent.flink.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.idempotent.flink.checkpoint.CheckpointStoreFactory;
import io.idempotent.flink.checkpoint.PartitionCheckpoint;
import io.idempotent.flink.checkpoint.PendingCheckpoint;
import io.idempotent.flink.checkpoint.SinkScopedStore;
import io.idempotent.flink.checkpoint.rocksdb.RocksDbCheckpointStore;
import io.idempotent.flink.destination.DestinationFactory;
import io.idempotent.flink.origin.Traced;
import io.idempotent.flink.sink.Faults.Fault;
import io.idempotent.flink.sink.aligned.CheckpointAlignedSink;
import io.idempotent.flink.source.IdempotentSource;
import io.idempotent.flink.source.IdempotentSourceBuilder;
import io.idempotent.flink.source.StartingPosition;
import io.idempotent.flink.storage.WriteDurability;
import io.idempotent.flink.stream.PartitionRecord;
import io.idempotent.flink.stream.StreamPartition;
import io.idempotent.flink.testutils.ExactlyOnceVerifier;
import io.idempotent.flink.testutils.OriginLine;
import io.idempotent.flink.testutils.TempDirs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole path on a MiniCluster — local stream → {@link IdempotentSource} → user processing →
 * {@link IdempotentSink} → a destination — with one fault injected per case, then an independent
 * count of what the destination really holds. Each destination's ITCase extends this and says how
 * to reach and read it. Proves design.md rows F1 to F4 and F6.
 */
abstract class ExactlyOnceSinkITCaseBase {

    /** The destination under test; each element is {@code "<partition>:<sequence> <payload>"}. */
    abstract DestinationFactory<String> destination();

    /** What the destination holds, in its own order, read without the library. */
    abstract List<ExactlyOnceVerifier.Origin> holdings() throws Exception;

    static final int PARTITIONS = 4;

    /** The name of the traced sink in every case. */
    static final String SINK = "delivery";

    static final int RECORDS = 600;

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    () -> {
                        Configuration conf = new Configuration();
                        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
                        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 5);
                        conf.set(
                                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY,
                                Duration.ofMillis(50));
                        return new MiniClusterResourceConfiguration.Builder()
                                .setConfiguration(conf)
                                .setNumberTaskManagers(1)
                                .setNumberSlotsPerTaskManager(6)
                                .build();
                    });

    // Deleted by deleteDir: a cancelled job's RocksDB may still be closing when the test ends.
    @TempDir(cleanup = CleanupMode.NEVER)
    Path dir;

    StreamFixture stream;
    Path storeDir;

    /** The sink's batch limit; small in the cases that deliver full batches between barriers. */
    int batchMaxRecords = IdempotentSinkOptions.BATCH_MAX_RECORDS.defaultValue();

    MemorySize batchMaxBytes = IdempotentSinkOptions.BATCH_MAX_BYTES.defaultValue();

    /** A dead letter as a line: its origin as the verifier reads it, then why it was refused. */
    static byte[] letterLine(DeadLetter<String> letter) {
        return OriginLine.of(letter.partition(), letter.sequence(), letter.error())
                .getBytes(StandardCharsets.UTF_8);
    }

    /** The traced sink's dead letters, if a case gives it some. */
    @javax.annotation.Nullable DestinationFactory<DeadLetter<String>> deadLetters;

    /** The sink's delivery mode: the {@code Eager…} subclasses run the whole suite eagerly. */
    DeliveryMode deliveryMode() {
        return DeliveryMode.BARRIER;
    }

    /**
     * The checkpoint interval of the fault cases: short at barriers, so that a run has many
     * batches; twice as long in the eager mode, where a 5 ms delay makes about twenty deliveries
     * between two checkpoints, so that a failure finds some committed, one pending and some not yet
     * marked since the checkpoint Flink restores.
     */
    long checkpointIntervalMillis() {
        return deliveryMode() == DeliveryMode.EAGER ? 100 : 50;
    }

    Path outDir;

    /**
     * Whether the processing and the sink run in the source's task; if not, records cross a network
     * edge (forward, same parallelism) and reach the sink one by one with its timers in between.
     */
    boolean sinkChainedToSource = true;

    /** The stream the suite runs on; the embedded local stream unless a subclass says else. */
    StreamFixture newStream() {
        return StreamFixture.local(dir.resolve("stream"), PARTITIONS);
    }

    @AfterEach
    void deleteDir() {
        TempDirs.deleteEventually(dir);
    }

    @BeforeEach
    void fillStream() {
        Processing.PROCESSED.set(0);
        storeDir = dir.resolve("store");
        outDir = dir.resolve("out");
        stream = newStream();
        stream.append(RECORDS);
    }

    void append(int perPartition) {
        stream.append(perPartition);
    }

    /**
     * Proves design.md row F5: stop-with-savepoint at one parallelism, restore at another while the
     * stream grows, and every record still arrives exactly once.
     */
    @ParameterizedTest
    @CsvSource({"4, 2, true", "2, 5, false"})
    void survivesStopWithSavepointAndRestoreAtAnotherParallelism(
            int before, int after, boolean stop) throws Exception {
        Faults.armAfter(Fault.NONE, 0);
        JobClient first = start(StartingPosition.EARLIEST, before, null);
        awaitCommitted(false);
        String savepointDir = dir.resolve("savepoints").toUri().toString();
        String savepoint;
        if (stop) {
            savepoint =
                    first.stopWithSavepoint(false, savepointDir, SavepointFormatType.CANONICAL)
                            .get(60, TimeUnit.SECONDS);
        } else {
            // A savepoint, then a cancel: its batches may still wait for their commit.
            savepoint =
                    first.triggerSavepoint(savepointDir, SavepointFormatType.CANONICAL)
                            .get(60, TimeUnit.SECONDS);
            first.cancel().get(60, TimeUnit.SECONDS);
        }
        append(RECORDS / 2);

        JobClient second = start(StartingPosition.EARLIEST, after, savepoint);
        awaitCommitted(true);
        second.cancel().get(60, TimeUnit.SECONDS);
        assertExactlyOnce();
    }

    /**
     * Proves design.md row F5 with batches pending in the store beyond the savepoint. A job at
     * parallelism 4 reads everything and takes a savepoint, whose barrier delivers every batch;
     * more records arrive, and the next barrier commits the savepoint's batches, marks the new ones
     * pending and dies sending them (a batch applied, then the call times out). Restored from the
     * savepoint at 2 and at 6, the readers re-read what was committed since (the writers drop it),
     * replay each pending range exactly when they reach it, and the writers re-send it under its
     * identity (the destination drops the repeat).
     */
    @ParameterizedTest
    @ValueSource(ints = {2, 6})
    void aSavepointWithBatchesPendingRestoresAtAnotherParallelism(
            int after, @InjectMiniCluster MiniCluster miniCluster) throws Exception {
        // The case stages the barrier mode's schedule (a savepoint's batches wait for the next
        // barrier's commit); eager timers commit them within the delay. The eager suite covers
        // savepoints and restores at other parallelisms in the cases above.
        assumeTrue(
                deliveryMode() == DeliveryMode.BARRIER,
                "stages the barrier mode's commit schedule");
        Faults.armAfter(Fault.NONE, 0);
        // No periodic checkpoint (the first would come after a random delay of up to a day): the
        // test triggers the barriers.
        JobClient first =
                start(StartingPosition.EARLIEST, PARTITIONS, null, Duration.ofDays(1), false);
        awaitRead(first, (long) PARTITIONS * RECORDS);
        String savepoint =
                first.triggerSavepoint(
                                dir.resolve("savepoints").toUri().toString(),
                                SavepointFormatType.CANONICAL)
                        .get(60, TimeUnit.SECONDS);
        assertThat(pendingInStore())
                .as("the savepoint's batches are sent, their commit waits for the next barrier")
                .hasSize(PARTITIONS);
        append(RECORDS / 2);
        awaitRead(first, (long) PARTITIONS * (RECORDS + RECORDS / 2));
        Faults.armAfter(Fault.APPLIED_THEN_TIMEOUT, 0);
        try {
            miniCluster.triggerCheckpoint(first.getJobID()).get(60, TimeUnit.SECONDS);
        } catch (ExecutionException expected) {
            // The checkpoint fails with the job.
        }
        assertThatThrownBy(() -> first.getJobExecutionResult().get(60, TimeUnit.SECONDS))
                .hasStackTraceContaining("injected fault " + Fault.APPLIED_THEN_TIMEOUT);
        List<PendingCheckpoint> pending = pendingInStore();
        // The failed delivery left its batch pending; the subtasks cancelled with it committed
        // what they had delivered when they closed (beyond the savepoint's positions, if they
        // reached the barrier), so the restore also re-reads records the store shows committed.
        assertThat(pending)
                .as("the failed delivery left batches pending beyond the savepoint's positions")
                .isNotEmpty()
                .anyMatch(p -> p.range().from() >= RECORDS);

        JobClient second = start(StartingPosition.EARLIEST, after, savepoint);
        awaitCommitted(true);
        second.cancel().get(60, TimeUnit.SECONDS);
        assertExactlyOnce();
        assertResent(pending);
    }

    /** Waits until the job's source has read {@code records} (counted by Processing). */
    private static void awaitRead(JobClient job, long records) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (Processing.PROCESSED.get() < records) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "read " + Processing.PROCESSED.get() + " records of job " + job.getJobID());
            }
            Thread.sleep(20);
        }
    }

    private List<PendingCheckpoint> pendingInStore() {
        List<PendingCheckpoint> pending = new ArrayList<>();
        try (SinkScopedStore store =
                SinkScopedStore.of(SINK, RocksDbCheckpointStore.open(storeDir))) {
            for (int p = 0; p < PARTITIONS; p++) {
                store.load(new StreamPartition(stream.name(), Integer.toString(p)))
                        .pendingCheckpoint()
                        .ifPresent(pending::add);
            }
        }
        return pending;
    }

    /**
     * Proves design.md row F7: after a job went on from a savepoint and committed more, restoring
     * that older savepoint (Flink then reuses checkpoint ids and re-reads records in other batch
     * boundaries) neither drops new data as a repeat nor delivers old data twice.
     */
    @Test
    void restoringAnOlderSavepointNeitherLosesNorRepeats() throws Exception {
        Faults.armAfter(Fault.NONE, 0);
        JobClient first = start(StartingPosition.EARLIEST, 2, null);
        awaitCommitted(false);
        String older =
                first.stopWithSavepoint(
                                false,
                                dir.resolve("savepoints").toUri().toString(),
                                SavepointFormatType.CANONICAL)
                        .get(60, TimeUnit.SECONDS);
        JobClient second = start(StartingPosition.EARLIEST, 2, older);
        awaitCommitted(true);
        second.cancel().get(60, TimeUnit.SECONDS);

        append(RECORDS / 2);
        JobClient third = start(StartingPosition.EARLIEST, 3, older);
        awaitCommitted(true);
        third.cancel().get(60, TimeUnit.SECONDS);
        assertExactlyOnce();
    }

    /**
     * Proves design.md row F8: origin identities refuse a pipeline that redistributes records
     * between source and sink, loudly, before anything is sent.
     */
    @Test
    void originIdentitiesRefuseARedistribution() {
        Faults.armAfter(Fault.NONE, 0);
        Configuration jobConf = new Configuration();
        jobConf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(jobConf);
        env.setParallelism(2);
        env.fromSource(
                        source(StartingPosition.EARLIEST, true),
                        WatermarkStrategy.noWatermarks(),
                        "events")
                .map(new Processing())
                .returns(TypeInformation.of(new TypeHint<Traced<String>>() {}))
                .keyBy(traced -> traced.value().hashCode())
                .sinkTo(tracedSink());
        assertThatThrownBy(() -> env.execute("redistributed"))
                .hasStackTraceContaining("the pipeline redistributes records");
    }

    /**
     * Proves design.md row F8: with a keyBy between source and sink and the origin dropped, the
     * checkpoint-aligned sink (checkpoint identities) still delivers every record once through
     * failures.
     */
    @ParameterizedTest
    @EnumSource(
            value = Fault.class,
            names = {"NONE", "PROCESSING", "HALF_SENT", "APPLIED_THEN_TIMEOUT"})
    void untracedElementsAfterAKeyByArriveExactlyOnce(Fault fault) throws Exception {
        assumeTrue(
                deliveryMode() == DeliveryMode.BARRIER,
                "the checkpoint-aligned sink has no eager mode");
        Faults.armAfter(fault, fault == Fault.PROCESSING ? RECORDS : 2);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.enableCheckpointing(50);
        env.fromSource(
                        source(StartingPosition.EARLIEST, true),
                        WatermarkStrategy.noWatermarks(),
                        "events")
                .map(new Processing())
                .returns(TypeInformation.of(new TypeHint<Traced<String>>() {}))
                .keyBy(traced -> traced.origin().partition())
                .map(Traced::value)
                .returns(Types.STRING)
                .setParallelism(3)
                .sinkTo(
                        Faults.around(
                                CheckpointAlignedSink.<String>builder()
                                        .name("events")
                                        .elementType(Types.STRING)
                                        .destination(Faults.around(destination()))
                                        .build()))
                .setParallelism(3);
        env.execute("untraced-after-keyby");
        assertThat(Faults.fired()).isEqualTo(fault == Fault.NONE ? 0 : 1);
        ExactlyOnceVerifier.Result result =
                ExactlyOnceVerifier.verify(expected(), untracedHoldings());
        // Order holds per key; across a redistribution the destination's order is not the stream's.
        assertThat(result.lost()).as(result.toString()).isZero();
        assertThat(result.duplicated()).as(result.toString()).isZero();
        assertThat(result.delivered()).isEqualTo(result.expected());
    }

    /** What the destination holds from the checkpoint-aligned sink named "events". */
    List<ExactlyOnceVerifier.Origin> untracedHoldings() throws Exception {
        return holdings();
    }

    /** Starts an unbounded job, restored from {@code savepoint} if given. */
    JobClient start(StartingPosition start, int parallelism, String savepoint) throws Exception {
        return start(start, parallelism, savepoint, Duration.ofMillis(50), true);
    }

    JobClient start(
            StartingPosition start,
            int parallelism,
            String savepoint,
            Duration checkpointInterval,
            boolean restarts)
            throws Exception {
        Configuration jobConf = new Configuration();
        if (!restarts) {
            jobConf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        }
        if (savepoint != null) {
            jobConf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        }
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(jobConf);
        env.setParallelism(parallelism);
        env.enableCheckpointing(checkpointInterval.toMillis());
        build(env, start, false);
        return env.executeAsync("file-sink-savepoint");
    }

    /** Waits until every partition has something, or everything, committed. */
    void awaitCommitted(boolean everything) throws Exception {
        Map<String, List<Long>> expected = expected();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (true) {
            int done = 0;
            try (SinkScopedStore store =
                    SinkScopedStore.of(SINK, RocksDbCheckpointStore.open(storeDir))) {
                for (Map.Entry<String, List<Long>> partition : expected.entrySet()) {
                    long committed =
                            store.load(new StreamPartition(stream.name(), partition.getKey()))
                                    .committed();
                    List<Long> sequences = partition.getValue();
                    long target = everything ? sequences.get(sequences.size() - 1) : 0;
                    done += committed >= target ? 1 : 0;
                }
            }
            if (done == expected.size()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        (everything ? "not everything" : "nothing") + " committed in time");
            }
            Thread.sleep(50);
        }
    }

    /** Proves design.md rows F1 (NONE, PROCESSING), F2, F3 and F4. */
    @ParameterizedTest
    @EnumSource(Fault.class)
    void deliversExactlyOnceDespite(Fault fault) throws Exception {
        deliversExactlyOnceDespite(
                fault,
                switch (fault) {
                    case PROCESSING -> RECORDS;
                    case WRITER_SNAPSHOT -> 3;
                    default -> 2;
                });
    }

    void deliversExactlyOnceDespite(Fault fault, int after) throws Exception {
        Faults.armAfter(fault, after);
        run(StartingPosition.EARLIEST, 2);

        assertThat(Faults.fired())
                .as("fault %s fired", fault)
                .isEqualTo(fault == Fault.NONE ? 0 : 1);
        if (deliveryMode() == DeliveryMode.EAGER && fault == Fault.NONE) {
            // Timers delivered between barriers (no batch here reaches the records limit).
            assertThat(Faults.markingWritesBetweenBarriers())
                    .as("deliveries between barriers (%d barriers)", Faults.barriers())
                    .isPositive();
        }
        assertExactlyOnce();
    }

    /**
     * Proves design.md row F26: the processing and the sink in a task of their own, fed over a
     * network edge, so that a replay reaches the sink record by record, with the sink's timers (the
     * eager mode's) and its slow processing in between; a batch marked but never sent, or sent in
     * part, is replayed whole. Seen failing in the eager mode before the fix (records lost).
     */
    @ParameterizedTest
    @EnumSource(
            value = Fault.class,
            names = {"BEFORE_SEND", "HALF_SENT"})
    void aSinkNotChainedToItsSourceDeliversExactlyOnceDespite(Fault fault) throws Exception {
        sinkChainedToSource = false;
        // At once: unchained, the source reads ahead and a run may see few barriers.
        deliversExactlyOnceDespite(fault, 1);
    }

    /**
     * Proves design.md row F19 under the faults of rows F1 to F4: with a limit of 7 elements,
     * batches are delivered when full between barriers (each one store write that commits the
     * deliveries before), and every fault still ends with each record delivered once, in order.
     */
    @ParameterizedTest
    @EnumSource(Fault.class)
    void fullBatchesDeliveredBetweenBarriersArriveExactlyOnceDespite(Fault fault) throws Exception {
        batchMaxRecords = 7;
        deliversExactlyOnceDespite(fault);
    }

    /**
     * Proves design.md row F19 for bytes: batches cut at {@code sink.batch.max-bytes} (about eight
     * elements of 60-odd bytes each) between barriers arrive exactly once through an applied batch
     * whose call timed out.
     */
    @Test
    void batchesCutByBytesArriveExactlyOnce() throws Exception {
        batchMaxBytes = MemorySize.parse("512b");
        deliversExactlyOnceDespite(Fault.APPLIED_THEN_TIMEOUT);
    }

    /**
     * Proves design.md row F6: a job dies with batches pending and no restart; a brand-new job with
     * no Flink state starts from the checkpoint store, re-sends exactly the pending ranges under
     * the same identities, then continues. Flink alone cannot do this without loss or duplicates.
     */
    @ParameterizedTest
    @EnumSource(
            value = Fault.class,
            names = {"BEFORE_SEND", "HALF_SENT", "APPLIED_THEN_TIMEOUT"})
    void aFreshJobTakesOverFromTheCheckpointStore(Fault fault) throws Exception {
        Faults.armAfter(fault, 3);
        assertThatThrownBy(() -> run(StartingPosition.EARLIEST, 2, false))
                .hasStackTraceContaining("injected fault " + fault);
        List<PendingCheckpoint> pending = pendingInStore();
        assertThat(pending).as("the dead job left batches pending").isNotEmpty();

        run(StartingPosition.CHECKPOINT_STORE, 3, true);

        assertExactlyOnce();
        assertResent(pending);
    }

    /**
     * Proves design.md row F11: two jobs read one stream into one destination, each through a sink
     * of its own name. Without a checkpoint during the run each cuts one batch per partition at the
     * end of the input, so both cut the same ranges: over a shared checkpoint store the second
     * would find everything committed, and over separate stores its batches would carry the first
     * one's identities and be dropped as repeats. Both outputs must be complete.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void twoJobsReadingOneStreamIntoOneDestinationBothDeliverEverything(boolean sharedStore)
            throws Exception {
        // Equal batch boundaries (the worst case) come from barrier delivery at the input's end.
        assumeTrue(deliveryMode() == DeliveryMode.BARRIER, "stages barrier-mode batch boundaries");
        Faults.armAfter(Fault.NONE, 0);
        for (String job : List.of("first", "second")) {
            Path jobStore = sharedStore ? storeDir : dir.resolve("store-" + job);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(2);
            env.enableCheckpointing(Duration.ofHours(1).toMillis());
            CheckpointStoreFactory store =
                    RocksDbCheckpointStore.factory(jobStore, WriteDurability.SYNCED);
            env.fromSource(
                            IdempotentSource.builder().stream(stream.factory())
                                    .bounded()
                                    .checkpointStore(store)
                                    .build(),
                            WatermarkStrategy.noWatermarks(),
                            "events")
                    .map(new Processing())
                    .returns(TypeInformation.of(new TypeHint<Traced<String>>() {}))
                    .map(traced -> traced.map(line -> job + "." + line))
                    .returns(TypeInformation.of(new TypeHint<Traced<String>>() {}))
                    .sinkTo(
                            IdempotentSink.<String>builder()
                                    .name(job)
                                    .destination(destination())
                                    .checkpointStore(store)
                                    .build());
            env.execute(job);
        }
        Map<String, List<Long>> expected = new java.util.TreeMap<>();
        for (String job : List.of("first", "second")) {
            expected()
                    .forEach(
                            (partition, sequences) ->
                                    expected.put(job + "." + partition, sequences));
        }
        ExactlyOnceVerifier.Result result = ExactlyOnceVerifier.verify(expected, holdings());
        assertThat(result.exactlyOnce()).as(result.toString()).isTrue();
    }

    /** Checks, in the destination, that each batch pending when the first job died is there. */
    abstract void assertResent(List<PendingCheckpoint> pending) throws Exception;

    void run(StartingPosition start, int parallelism) throws Exception {
        run(start, parallelism, true);
    }

    void run(StartingPosition start, int parallelism, boolean restarts) throws Exception {
        Configuration jobConf = new Configuration();
        if (!restarts) {
            jobConf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        }
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(jobConf);
        env.setParallelism(parallelism);
        env.enableCheckpointing(checkpointIntervalMillis());
        build(env, start, true);
        env.execute("sink-exactly-once");
    }

    private void build(StreamExecutionEnvironment env, StartingPosition start, boolean bounded) {
        SingleOutputStreamOperator<Traced<String>> processed =
                env.fromSource(source(start, bounded), WatermarkStrategy.noWatermarks(), "events")
                        .map(new Processing())
                        .returns(TypeInformation.of(new TypeHint<Traced<String>>() {}));
        if (!sinkChainedToSource) {
            processed.startNewChain();
        }
        processed.sinkTo(Faults.around(tracedSink()));
    }

    IdempotentSource source(StartingPosition start, boolean bounded) {
        IdempotentSourceBuilder source =
                IdempotentSource.builder().stream(stream.factory())
                        .maxRecordsPerFetch(20)
                        .partitionDiscoveryInterval(Duration.ZERO)
                        .startingFrom(start);
        if (bounded) {
            source.bounded();
        }
        return source.checkpointStore(store()).build();
    }

    IdempotentSink<String> tracedSink() {
        IdempotentSinkBuilder<String> sink =
                IdempotentSink.<String>builder()
                        .name(SINK)
                        .batchMaxRecords(batchMaxRecords)
                        .batchMaxBytes(batchMaxBytes)
                        .deliveryMode(deliveryMode())
                        .batchMaxDelay(Duration.ofMillis(5))
                        .destination(Faults.around(destination()))
                        .checkpointStore(Faults.around(store()));
        if (deadLetters != null) {
            sink.deadLetters(deadLetters);
        }
        return sink.build();
    }

    CheckpointStoreFactory store() {
        return RocksDbCheckpointStore.factory(storeDir, WriteDurability.SYNCED);
    }

    Map<String, List<Long>> expected() {
        return stream.sequences();
    }

    void assertExactlyOnce() throws Exception {
        ExactlyOnceVerifier.Result result = ExactlyOnceVerifier.verify(expected(), holdings());
        assertThat(result.exactlyOnce()).as(result.toString()).isTrue();
        try (SinkScopedStore store =
                SinkScopedStore.of(SINK, RocksDbCheckpointStore.open(storeDir))) {
            for (Map.Entry<String, List<Long>> partition : expected().entrySet()) {
                PartitionCheckpoint checkpoint =
                        store.load(new StreamPartition(stream.name(), partition.getKey()));
                List<Long> sequences = partition.getValue();
                assertThat(checkpoint.committed()).isEqualTo(sequences.get(sequences.size() - 1));
                assertThat(checkpoint.pending()).isNull();
            }
        }
    }

    /** Tags each record with its origin; slow enough for checkpoints to fall in between. */
    static final class Processing implements MapFunction<Traced<PartitionRecord>, Traced<String>> {
        /** Records processed in this JVM since the test began. */
        static final AtomicLong PROCESSED = new AtomicLong();

        private int count;

        @Override
        public Traced<String> map(Traced<PartitionRecord> traced) throws Exception {
            Faults.at(Fault.PROCESSING);
            PROCESSED.incrementAndGet();
            if (++count % 4 == 0) {
                Thread.sleep(1);
            }
            return traced.map(
                    record ->
                            OriginLine.of(record.partition(), record.sequence(), record.payload()));
        }
    }
}
