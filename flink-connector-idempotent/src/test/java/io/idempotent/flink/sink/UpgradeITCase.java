package io.idempotent.flink.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.idempotent.flink.checkpoint.SinkScopedStore;
import io.idempotent.flink.checkpoint.rocksdb.RocksDbCheckpointStore;
import io.idempotent.flink.destination.file.FileDestination;
import io.idempotent.flink.origin.Traced;
import io.idempotent.flink.sink.aligned.CheckpointAlignedSink;
import io.idempotent.flink.source.IdempotentSource;
import io.idempotent.flink.source.StartingPosition;
import io.idempotent.flink.storage.WriteDurability;
import io.idempotent.flink.stream.PartitionRecord;
import io.idempotent.flink.stream.StreamPartition;
import io.idempotent.flink.testutils.ExactlyOnceVerifier;
import io.idempotent.flink.testutils.FileDestinationReader;
import io.idempotent.flink.testutils.OriginLine;
import io.idempotent.flink.testutils.TempDirs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves design.md row F42: what a job of version 0.1.0 left behind — a savepoint, a RocksDB
 * checkpoint store, a local stream and the files it delivered, committed under {@code
 * src/test/resources/upgrade/0.1.0} — is restored by today's code, which delivers what was appended
 * since exactly once through both sinks (the source's splits and enumerator state, the traced
 * sink's writer state and the checkpoint-aligned sink's committables all come from the savepoint).
 *
 * <p>Written once with {@code -Dupgrade.regenerate=true -Dtest=UpgradeITCase} on the version the
 * directory is named after; never regenerated after a change to the code under test.
 */
class UpgradeITCase {

    private static final Path SNAPSHOT = Path.of("src/test/resources/upgrade/0.1.0");

    private static final int PARTITIONS = 4;
    private static final int RECORDS = 200;

    /** The traced sink's name, which scopes its partitions in the checkpoint store. */
    private static final String TRACED = "delivery";

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(4)
                            .build());

    // Deleted by deleteDir: a cancelled job's RocksDB may still be closing when the test ends.
    @TempDir(cleanup = CleanupMode.NEVER)
    Path dir;

    @AfterEach
    void deleteDir() {
        TempDirs.deleteEventually(dir);
    }

    @Test
    @EnabledIfSystemProperty(named = "upgrade.regenerate", matches = "true")
    void writeTheStateOfThisVersion() throws Exception {
        assumeFalse(Files.exists(SNAPSHOT), SNAPSHOT + " exists; delete it to write it again");
        StreamFixture stream = StreamFixture.local(dir.resolve("stream"), PARTITIONS);
        stream.append(RECORDS);
        JobClient job = start(dir, dir.resolve("savepoint").toUri().toString());
        awaitCommitted(dir, stream, stream.sequences());
        String savepoint =
                job.stopWithSavepoint(
                                false,
                                dir.resolve("savepoints").toUri().toString(),
                                SavepointFormatType.CANONICAL)
                        .get(60, TimeUnit.SECONDS);
        try (Stream<Path> parts = Files.list(dir)) {
            for (Path part : (Iterable<Path>) parts::iterator) {
                if (!part.getFileName().toString().equals("savepoints")) {
                    copy(part, SNAPSHOT.resolve(part.getFileName().toString()));
                }
            }
        }
        copy(Path.of(java.net.URI.create(savepoint)), SNAPSHOT.resolve("savepoint"));
    }

    @Test
    void aSavepointAndStoreOfVersion010RestoreAndTheRestArrivesExactlyOnce() throws Exception {
        copy(SNAPSHOT, dir);
        StreamFixture stream = StreamFixture.openLocal(dir.resolve("stream"));
        Map<String, List<Long>> before = stream.sequences();
        assertThat(before.values()).allSatisfy(s -> assertThat(s).hasSize(RECORDS));
        stream.append(RECORDS / 2);
        Map<String, List<Long>> expected = stream.sequences();

        JobClient job = start(dir, dir.resolve("savepoint").toUri().toString());
        awaitCommitted(dir, stream, expected);
        awaitHeld(dir.resolve("aligned"), expected);
        job.cancel().get(60, TimeUnit.SECONDS);

        ExactlyOnceVerifier.Result traced =
                ExactlyOnceVerifier.verify(
                        expected, FileDestinationReader.readAll(dir.resolve("traced")));
        assertThat(traced.exactlyOnce()).as("traced sink: " + traced).isTrue();
        ExactlyOnceVerifier.Result aligned =
                ExactlyOnceVerifier.verify(
                        expected, FileDestinationReader.readAll(dir.resolve("aligned")));
        // Its files are named by checkpoint and subtask, which is not the stream's order.
        assertThat(aligned.lost()).as("checkpoint-aligned sink: " + aligned).isZero();
        assertThat(aligned.duplicated()).as("checkpoint-aligned sink: " + aligned).isZero();
    }

    /**
     * The job of both versions: one source into the traced sink, eagerly, and another over the same
     * stream (with a store of its own) into the checkpoint-aligned sink; every operator with a uid.
     */
    private static JobClient start(Path dir, String savepoint) throws Exception {
        Configuration conf = new Configuration();
        if (savepoint != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.enableCheckpointing(100);

        env.fromSource(source(dir, "store"), WatermarkStrategy.noWatermarks(), "events")
                .uid("events")
                .map(new Tag())
                .uid("tag")
                .returns(TypeInformation.of(new TypeHint<Traced<String>>() {}))
                .sinkTo(
                        IdempotentSink.<String>builder()
                                .name(TRACED)
                                .deliveryMode(DeliveryMode.EAGER)
                                .batchMaxDelay(Duration.ofMillis(5))
                                .destination(
                                        FileDestination.factory(
                                                dir.resolve("traced"), UpgradeITCase::utf8))
                                .checkpointStore(store(dir, "store"))
                                .build())
                .uid("traced");

        DataStream<String> lines =
                env.fromSource(
                                source(dir, "aligned-source-store"),
                                WatermarkStrategy.noWatermarks(),
                                "events-aligned")
                        .uid("events-aligned")
                        .map(new Tag())
                        .uid("tag-aligned")
                        .returns(TypeInformation.of(new TypeHint<Traced<String>>() {}))
                        .map(Traced::value)
                        .uid("value")
                        .returns(Types.STRING);
        lines.sinkTo(
                        CheckpointAlignedSink.<String>builder()
                                .name("aligned")
                                .elementType(Types.STRING)
                                .destination(
                                        FileDestination.factory(
                                                dir.resolve("aligned"), UpgradeITCase::utf8))
                                .build())
                .uid("aligned");
        return env.executeAsync("upgrade");
    }

    private static IdempotentSource source(Path dir, String store) {
        return IdempotentSource.builder().stream(
                        io.idempotent.flink.stream.local.LocalStream.factory(dir.resolve("stream")))
                .partitionDiscoveryInterval(Duration.ZERO)
                .startingFrom(StartingPosition.EARLIEST)
                .checkpointStore(store(dir, store))
                .build();
    }

    private static io.idempotent.flink.checkpoint.CheckpointStoreFactory store(
            Path dir, String name) {
        return RocksDbCheckpointStore.factory(dir.resolve(name), WriteDurability.SYNCED);
    }

    private static byte[] utf8(String line) {
        return line.getBytes(StandardCharsets.UTF_8);
    }

    /** Waits until the traced sink committed every expected record of every partition. */
    private static void awaitCommitted(
            Path dir, StreamFixture stream, Map<String, List<Long>> expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (true) {
            int done = 0;
            try (SinkScopedStore store =
                    SinkScopedStore.of(TRACED, RocksDbCheckpointStore.open(dir.resolve("store")))) {
                for (Map.Entry<String, List<Long>> partition : expected.entrySet()) {
                    List<Long> sequences = partition.getValue();
                    long committed =
                            store.load(new StreamPartition(stream.name(), partition.getKey()))
                                    .committed();
                    done += committed >= sequences.get(sequences.size() - 1) ? 1 : 0;
                }
            }
            if (done == expected.size()) {
                return;
            }
            assertThat(System.nanoTime()).as("everything committed in time").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /** Waits until a destination holds as many records as expected (or more: a duplicate). */
    private static void awaitHeld(Path out, Map<String, List<Long>> expected) throws Exception {
        long total = expected.values().stream().mapToLong(List::size).sum();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (FileDestinationReader.readAll(out).size() < total) {
            assertThat(System.nanoTime()).as(out + " filled in time").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else if (!file.getFileName().toString().startsWith("LOG")) {
                    // RocksDB's info logs are not state; they only make the snapshot larger.
                    Files.copy(file, target);
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Tags each record with its origin: {@code "<partition>:<sequence> <payload>"}. */
    private static final class Tag implements MapFunction<Traced<PartitionRecord>, Traced<String>> {
        @Override
        public Traced<String> map(Traced<PartitionRecord> traced) {
            return traced.map(
                    record ->
                            OriginLine.of(record.partition(), record.sequence(), record.payload()));
        }
    }
}
