package io.idempotent.flink.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.checkpoint.PendingCheckpoint;
import io.idempotent.flink.checkpoint.rocksdb.RocksDbCheckpointStore;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import io.idempotent.flink.stream.local.LocalStream;
import io.idempotent.flink.testutils.CliRun;
import io.idempotent.flink.testutils.CommandLineChecks;
import io.idempotent.flink.testutils.DocumentedCommands;
import io.idempotent.flink.tools.IdempotentTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExamplesTest {

    @TempDir Path dir;

    private String run(String... args) {
        CliRun run = CliRun.of(Examples::run, args);
        assertThat(run.code()).as("exit code of %s", List.of(args)).isZero();
        return run.output();
    }

    /** Runs an operator tool (create, append, status), which the examples build on. */
    private String tool(String... args) {
        CliRun run = CliRun.of(IdempotentTools::run, args);
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
        tool("create", "--stream", stream.toString(), "--name", "events", "--partitions", "2");
        assertThat(
                        tool(
                                "append",
                                "--stream",
                                stream.toString(),
                                "--partition",
                                "0",
                                "--file",
                                lines.toString()))
                .contains("Appended 2 records to partition 0, up to sequence 1");
        tool("append", "--stream", stream.toString(), "--partition", "1", "--generate", "5");

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
        String status = tool("status", "--stream", stream.toString(), "--store", store.toString());
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
        assertThat(tool("status", "--stream", stream.toString(), "--store", store.toString()))
                .containsPattern("0\\s+2\\s+1\\s+0\\s+1\\s+-")
                .containsPattern("1\\s+5\\s+4\\s+0\\s+2\\s+-");
    }

    /**
     * The README's run command ({@code exec:exec}, by default {@code job}) reaches the examples.
     */
    @Test
    void theReadmesRunCommandReachesTheExamples() {
        assertThat(DocumentedCommands.execMainClass()).isEqualTo(Examples.class.getName());
        assertThat(CliRun.of(Examples::run, "job", "--help").code()).isZero();
    }

    /** Every example answers {@code --help} with each option, its description and its default. */
    @Test
    void everyExampleAnswersHelpWithEveryOptionAndItsDefault() {
        CommandLineChecks.everyCommandAnswersHelp(new Examples(), Examples::run);
    }

    /** What a reader types from the README and the docs is a command and options of this tool. */
    @Test
    void everyDocumentedCommandAndOptionExists() {
        CommandLineChecks.everyDocumentedCommandExists(new Examples(), "examples");
    }
}
