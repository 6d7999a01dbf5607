package io.idempotent.flink.examples.cli;

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
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

class IdempotentCliTest {

    @TempDir Path dir;

    private String run(String... args) {
        CliRun run = CliRun.of(args);
        assertThat(run.code()).as("exit code of %s", List.of(args)).isZero();
        return run.output();
    }

    @Test
    void theDemoDeliversExactlyOnceDespiteInjectedFailures() throws Exception {
        Path work = dir.resolve("demo");
        String output =
                run(
                        "demo",
                        "--dir",
                        work.toString(),
                        "--records",
                        "3000",
                        "--batch",
                        "100",
                        "--failures",
                        "3");
        assertThat(output)
                .contains("3 failures injected")
                .contains("the old worker is fenced")
                .contains("EXACTLY ONCE");
        assertThat(output.lines().filter(l -> l.startsWith("total")))
                .containsExactly(
                        "total             12000        12000        0           0             0");

        // The verifier is independent and can fail: a copied batch file is a duplicate.
        try (LocalStream stream = LocalStream.open(work.resolve("stream"))) {
            Path partition =
                    work.resolve("out")
                            .resolve(stream.qualifiedName().replace("@", "%40"))
                            .resolve("2");
            Files.copy(partition.resolve("0-99.batch"), partition.resolve("0-49.batch"));
            List<FileVerifier.Row> rows = FileVerifier.verify(stream, work.resolve("out"));
            assertThat(rows.get(2).duplicated()).isEqualTo(100);
            assertThat(FileVerifier.exactlyOnce(rows)).isFalse();
        }
    }

    @Test
    void createAppendStatusAndDeliverFromTheCommandLine() throws Exception {
        Path stream = dir.resolve("stream");
        Path store = dir.resolve("store");
        Path lines = Files.writeString(dir.resolve("lines.txt"), "{\"a\":1}\n{\"a\":2}\n");
        run("create", "--stream", stream.toString(), "--name", "events", "--partitions", "2");
        assertThat(
                        run(
                                "append",
                                "--stream",
                                stream.toString(),
                                "--partition",
                                "0",
                                "--file",
                                lines.toString()))
                .contains("Appended 2 records to partition 0, up to sequence 1");
        run("append", "--stream", stream.toString(), "--partition", "1", "--generate", "5");

        // The stream's name with its creation id, as the tools name its partitions.
        String events;
        try (LocalStream created = LocalStream.openReadOnly(stream)) {
            events = created.qualifiedName();
        }
        assertThat(events).startsWith("events@");
        String encoded = events.replace("@", "%40");

        // A pending checkpoint left by a worker that died, as a user would find it.
        StreamPartition p1 = new StreamPartition(events, "1");
        try (RocksDbCheckpointStore checkpoints = RocksDbCheckpointStore.open(store)) {
            long epoch = checkpoints.acquire(p1);
            SequenceRange range = SequenceRange.of(0, 2);
            checkpoints.markPending(
                    p1, epoch, new PendingCheckpoint(range, BatchId.of(p1, range), null));
        }
        String status = run("status", "--stream", stream.toString(), "--store", store.toString());
        assertThat(status)
                .contains("Stream '" + events + "'")
                .containsPattern("1\\s+5\\s+-\\s+5\\s+1\\s+\\[0, 2\\] as " + encoded + "/1/0-2");

        String delivered =
                run(
                        "deliver",
                        "--stream",
                        stream.toString(),
                        "--store",
                        store.toString(),
                        "--out",
                        dir.resolve("out").toString(),
                        "--batch",
                        "2");
        assertThat(delivered).contains("Delivered 7 elements").contains("1 re-sent");
        assertThat(Files.readAllLines(dir.resolve("out/" + encoded + "/1/0-2.batch")))
                .hasSize(3)
                .allMatch(l -> l.startsWith("1:"));
        assertThat(run("status", "--stream", stream.toString(), "--store", store.toString()))
                .containsPattern("0\\s+2\\s+1\\s+0\\s+1\\s+-")
                .containsPattern("1\\s+5\\s+4\\s+0\\s+2\\s+-");
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
                            IdempotentCli.run(
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
            assertThat(IdempotentCli.run("status", "--stream", dir.resolve("s").toString()))
                    .isNotZero();
            assertThat(
                            IdempotentCli.run(
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

    /**
     * Every command answers {@code --help} with exit code 0, listing each of its options with its
     * description and, where it has one, its default; a wrong usage exits with 2 and an error with
     * 1, as command-line tools do.
     */
    @Test
    void everyCommandAnswersHelpWithEveryOptionAndItsDefault() {
        CommandLine tool = new CommandLine(new IdempotentCli());
        assertThat(CliRun.of("--help").code()).isZero();
        for (Map.Entry<String, CommandLine> command : tool.getSubcommands().entrySet()) {
            CliRun help = CliRun.of(command.getKey(), "--help");
            assertThat(help.code()).as("%s --help", command.getKey()).isZero();
            for (OptionSpec option : command.getValue().getCommandSpec().options()) {
                assertThat(help.output())
                        .as("%s --help names %s", command.getKey(), option.longestName())
                        .contains(option.longestName());
                assertThat(option.description())
                        .as("%s %s has a description", command.getKey(), option.longestName())
                        .isNotEmpty();
                if (option.defaultValue() != null) {
                    assertThat(help.output())
                            .as(
                                    "%s --help gives the default of %s",
                                    command.getKey(), option.longestName())
                            .contains("Default: " + option.defaultValue());
                }
            }
        }
        PrintStream original = System.err;
        System.setErr(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        try {
            assertThat(IdempotentCli.run("status", "--no-such-option")).isEqualTo(2);
        } finally {
            System.setErr(original);
        }
    }
}
