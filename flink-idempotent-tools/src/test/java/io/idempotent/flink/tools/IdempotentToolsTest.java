package io.idempotent.flink.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.checkpoint.PartitionCheckpoint;
import io.idempotent.flink.checkpoint.PendingCheckpoint;
import io.idempotent.flink.checkpoint.SinkScopedStore;
import io.idempotent.flink.checkpoint.rocksdb.RocksDbCheckpointStore;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import io.idempotent.flink.stream.local.LocalStream;
import io.idempotent.flink.testutils.CliRun;
import io.idempotent.flink.testutils.CommandLineChecks;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdempotentToolsTest {

    @TempDir Path dir;

    private String run(String... args) {
        CliRun run = CliRun.of(IdempotentTools::run, args);
        assertThat(run.code()).as("exit code of %s", List.of(args)).isZero();
        return run.output();
    }

    /** Proves design.md row F20: a partition's checkpoint is reset on purpose, saying what goes. */
    @Test
    void resetDiscardsAPartitionsCheckpointAndSaysWhat() {
        Path store = dir.resolve("store");
        StreamPartition p0 = new StreamPartition("orders", "0");
        try (SinkScopedStore checkpoints =
                SinkScopedStore.of("to-db", RocksDbCheckpointStore.open(store))) {
            long epoch = checkpoints.acquire(p0);
            SequenceRange range = SequenceRange.of(0, 9);
            checkpoints.markPending(
                    p0, epoch, new PendingCheckpoint(range, BatchId.of("to-db", p0, range), null));
            checkpoints.commit(p0, epoch, range);
            SequenceRange next = SequenceRange.of(10, 12);
            checkpoints.markPending(
                    p0, epoch, new PendingCheckpoint(next, BatchId.of("to-db", p0, next), null));
        }
        String[] reset = {
            "reset",
            "--stream-name",
            "orders",
            "--partition",
            "0",
            "--sink",
            "to-db",
            "--to",
            "-1",
            "--store",
            store.toString()
        };
        assertThat(run(reset))
                .contains(
                        "Would reset partition orders/0 of sink 'to-db': committed 9 -> nothing,"
                                + " pending [10, 12] as to-db/orders/0/10-12 dropped, epoch 1 -> 2")
                .contains("Dry run: nothing changed. Run again with --yes to apply.");
        try (SinkScopedStore checkpoints =
                SinkScopedStore.of("to-db", RocksDbCheckpointStore.open(store))) {
            assertThat(checkpoints.load(p0).committed()).as("a dry run").isEqualTo(9);
        }
        String[] applied = java.util.Arrays.copyOf(reset, reset.length + 1);
        applied[reset.length] = "--yes";
        assertThat(run(applied))
                .contains("Reset partition orders/0 of sink 'to-db': discarded committed 9,")
                .contains("pending [10, 12] as to-db/orders/0/10-12")
                .contains("Now committed nothing, epoch 2; reading starts at 0");
        try (SinkScopedStore checkpoints =
                SinkScopedStore.of("to-db", RocksDbCheckpointStore.open(store))) {
            PartitionCheckpoint now = checkpoints.load(p0);
            assertThat(now.committed()).isEqualTo(PartitionCheckpoint.NOTHING_COMMITTED);
            assertThat(now.pending()).isNull();
            assertThat(now.epoch()).as("the reset fenced the owner").isEqualTo(2);
        }
    }

    /**
     * Proves design.md row F41: a reset of a key the store does not hold (the plain topic name of a
     * stream the store keeps as {@code <topic>@<id>}, another sink) changes nothing and fails
     * listing what the store holds; {@code --to} is required; a stream named by its directory is
     * resolved to the name the store keeps, and a position past its end is refused.
     */
    @Test
    void resetRefusesWhatTheStoreDoesNotHoldAndResolvesTheStreamItself() throws Exception {
        Path stream = dir.resolve("stream");
        Path store = dir.resolve("store");
        String qualified;
        try (LocalStream created = LocalStream.create(stream, "events", 1)) {
            created.append("0", null, "a".getBytes(StandardCharsets.UTF_8), 0);
            created.append("0", null, "b".getBytes(StandardCharsets.UTF_8), 0);
            qualified = created.qualifiedName();
        }
        StreamPartition p0 = new StreamPartition(qualified, "0");
        try (SinkScopedStore checkpoints =
                SinkScopedStore.of("to-db", RocksDbCheckpointStore.open(store))) {
            checkpoints.acquire(p0);
        }
        CliRun plain =
                CliRun.of(
                        IdempotentTools::run,
                        "reset",
                        "--stream-name",
                        "events",
                        "--partition",
                        "0",
                        "--sink",
                        "to-db",
                        "--to",
                        "0",
                        "--yes",
                        "--store",
                        store.toString());
        assertThat(plain.code()).isEqualTo(1);
        CliRun otherSink =
                CliRun.of(
                        IdempotentTools::run,
                        "reset",
                        "--stream",
                        stream.toString(),
                        "--partition",
                        "0",
                        "--sink",
                        "other",
                        "--to",
                        "0",
                        "--yes",
                        "--store",
                        store.toString());
        assertThat(otherSink.code()).isEqualTo(1);
        assertThat(
                        CliRun.of(
                                        IdempotentTools::run,
                                        "reset",
                                        "--stream",
                                        stream.toString(),
                                        "--partition",
                                        "0",
                                        "--sink",
                                        "to-db",
                                        "--store",
                                        store.toString())
                                .code())
                .as("--to is required")
                .isEqualTo(2);
        assertThat(
                        CliRun.of(
                                        IdempotentTools::run,
                                        "reset",
                                        "--stream",
                                        stream.toString(),
                                        "--partition",
                                        "0",
                                        "--sink",
                                        "to-db",
                                        "--to",
                                        "2",
                                        "--yes",
                                        "--store",
                                        store.toString())
                                .code())
                .as("past the end")
                .isEqualTo(1);
        try (SinkScopedStore checkpoints =
                SinkScopedStore.of("to-db", RocksDbCheckpointStore.open(store))) {
            assertThat(checkpoints.list())
                    .as("nothing written by the refused resets")
                    .containsExactly(Map.entry(p0, new PartitionCheckpoint(1, -1, null)));
        }
        assertThat(
                        run(
                                "reset",
                                "--stream",
                                stream.toString(),
                                "--partition",
                                "0",
                                "--sink",
                                "to-db",
                                "--to",
                                "0",
                                "--yes",
                                "--store",
                                store.toString()))
                .contains("Reset partition " + qualified + "/0 of sink 'to-db'")
                .contains("Now committed 0, epoch 2; reading starts at 1");
    }

    @Test
    void resetNamesWhatTheStoreHoldsWhenItRefuses() {
        Path store = dir.resolve("store");
        try (SinkScopedStore checkpoints =
                SinkScopedStore.of("to-db", RocksDbCheckpointStore.open(store))) {
            checkpoints.acquire(new StreamPartition("orders@Zx1", "0"));
        }
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            assertThat(
                            IdempotentTools.run(
                                    "reset",
                                    "--stream-name",
                                    "orders",
                                    "--partition",
                                    "0",
                                    "--sink",
                                    "to-db",
                                    "--to",
                                    "5",
                                    "--store",
                                    store.toString()))
                    .isEqualTo(1);
        } finally {
            System.setErr(original);
        }
        assertThat(captured.toString(StandardCharsets.UTF_8))
                .contains("holds no checkpoint of orders/0 of sink 'to-db'; nothing was changed")
                .contains("It holds: orders@Zx1/0.");
    }

    /** Proves design.md row F41: status for scripts, from the store alone. */
    @Test
    void statusPrintsJsonFromTheStoreAlone() throws Exception {
        Path store = dir.resolve("store");
        StreamPartition p0 = new StreamPartition("orders@Zx1", "0");
        try (SinkScopedStore checkpoints =
                SinkScopedStore.of("to-db", RocksDbCheckpointStore.open(store))) {
            long epoch = checkpoints.acquire(p0);
            SequenceRange range = SequenceRange.of(0, 4);
            checkpoints.markPending(
                    p0, epoch, new PendingCheckpoint(range, BatchId.of("to-db", p0, range), null));
        }
        String json = run("status", "--store", store.toString(), "--sink", "to-db", "--json");
        JsonNode status = new ObjectMapper().readTree(json);
        assertThat(status.get("sink").asText()).isEqualTo("to-db");
        assertThat(status.get("stream").isNull()).isTrue();
        JsonNode row = status.get("otherStreams").get(0);
        assertThat(row.get("stream").asText()).isEqualTo("orders@Zx1");
        assertThat(row.get("partition").asText()).isEqualTo("0");
        assertThat(row.get("committed").isNull()).isTrue();
        assertThat(row.get("epoch").asLong()).isEqualTo(1);
        assertThat(row.get("pending").get("from").asLong()).isZero();
        assertThat(row.get("pending").get("to").asLong()).isEqualTo(4);
        assertThat(row.get("pending").get("batchId").asText())
                .isEqualTo("to-db/orders%40Zx1/0/0-4");
        assertThat(status.get("sinks").get(0).asText()).isEqualTo("to-db");
        assertThat(run("status", "--store", store.toString(), "--sink", "to-db"))
                .contains("orders@Zx1")
                .contains("[0, 4] as");
    }

    @Test
    void wrongUsageExplainsItself() {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            run("create", "--stream", dir.resolve("s").toString());
            assertThat(IdempotentTools.run("status", "--stream", dir.resolve("s").toString()))
                    .isNotZero();
            assertThat(
                            IdempotentTools.run(
                                    "status",
                                    "--stream",
                                    dir.resolve("missing").toString(),
                                    "--store",
                                    dir.resolve("x").toString()))
                    .isNotZero();
        } finally {
            System.setErr(original);
        }
        assertThat(captured.toString(StandardCharsets.UTF_8))
                .contains("Name exactly one checkpoint store")
                .contains("There is no local stream at")
                .doesNotContain("\tat ");
    }

    /** Every command answers {@code --help} with each option, its description and its default. */
    @Test
    void everyCommandAnswersHelpWithEveryOptionAndItsDefault() {
        CommandLineChecks.everyCommandAnswersHelp(new IdempotentTools(), IdempotentTools::run);
        PrintStream original = System.err;
        System.setErr(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        try {
            assertThat(IdempotentTools.run("status", "--no-such-option")).isEqualTo(2);
        } finally {
            System.setErr(original);
        }
    }

    /** What a reader types from the README and the docs is a command and options of this tool. */
    @Test
    void everyDocumentedCommandAndOptionExists() {
        CommandLineChecks.everyDocumentedCommandExists(new IdempotentTools(), "idempotent");
    }
}
