package io.idempotent.flink.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.idempotent.flink.testutils.CliRun;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scale benchmark's command, tiny (two sizes, Kafka and the PostgreSQL store: the batched
 * acquisitions, store reads and Kafka reads on their real parts), so that the harness keeps
 * working; the numbers mean nothing at this size. Every record delivered in every run (bounded,
 * live, live with a failure, the second round's live run), writes and series counted, a plot
 * written.
 */
class ScaleCommandITCase {

    @TempDir Path dir;

    @Test
    void theScaleBenchmarkRunsAndCountsWhatItMeasures() {
        CliRun run =
                CliRun.of(
                        Benchmarks::run,
                        "scale",
                        "--dir",
                        dir.toString(),
                        "--sizes",
                        "2,6",
                        "--sources",
                        "KAFKA",
                        "--stores",
                        "POSTGRES",
                        "--records",
                        "3000",
                        "--steady-records",
                        "3000",
                        "--steady-repeats",
                        "2",
                        "--rounds",
                        "2",
                        "--live-rate",
                        "1000",
                        "--live-duration",
                        "PT3S",
                        "--flink-conf",
                        "state.storage.fs.memory-threshold=1mb",
                        "--plot",
                        dir.resolve("scale.png").toString());
        int code = run.code();
        String output = run.output();
        assertThat(code).as(output).isZero();
        assertThat(output)
                .containsPattern("kafka +postgres +6 partitions: first delivery")
                .containsPattern("acquisitions \\d writes for 6 partitions")
                .containsPattern(
                        "6 partitions: .*; steady [\\d,]+, CPU [\\d.]+ s per million records:"
                                + " fetchers [\\d.]+, tasks [\\d.]+, other Java threads [\\d.]+"
                                + " \\(Flink's checkpoints [\\d.]+\\),"
                                + " GC/JIT/native [\\d.]+ \\(GC [\\d.]+, JIT [\\d.]+, RocksDB's threads"
                                + " [\\d.]+\\); a bare Kafka consumer [\\d,]+\\)")
                .containsPattern("JVM heap: initial [\\d,]+ MB, max [\\d,]+ MB")
                .contains("Flink configuration: {state.storage.fs.memory-threshold=1mb}")
                .contains(
                        "steady against a bare Kafka consumer of the same backlog, kafka postgres = ")
                .doesNotContain("(!)")
                .containsPattern("round 2: kafka +postgres +2 partitions: steady [\\d,]+, CPU")
                .containsPattern(
                        "steady by round \\(records/s; the best counts\\), kafka postgres: @2"
                                + " [\\d,]+, [\\d,]+; @6 [\\d,]+, [\\d,]+; the ratio @6/@2 within each"
                                + " round: \\d+\\.\\d\\d, \\d+\\.\\d\\d")
                .contains("ratio throughput @6/@2 partitions, kafka postgres = ")
                .containsPattern("CPU per record @6/@2 = \\d+\\.\\d\\d\\)")
                .contains("store writes per delivery @6 partitions, kafka postgres = ")
                .contains("recovery @6 partitions, kafka postgres = ")
                // The injected failure fired and the recovery replayed a pending range.
                .doesNotContain("no delivery after the failure")
                .doesNotContain("the recovery re-sent no pending batch")
                .contains("per partition, kafka postgres: heap ");
        assertThat(dir.resolve("scale.png")).isRegularFile();
    }
}
