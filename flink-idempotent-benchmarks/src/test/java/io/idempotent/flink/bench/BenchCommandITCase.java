package io.idempotent.flink.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.idempotent.flink.testutils.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark's command, tiny, for two variants of ours (so that the harness keeps working; the
 * numbers mean nothing at this size): every record delivered, store writes counted, latency
 * measured, a plot written.
 */
class BenchCommandITCase {

    @TempDir Path dir;

    @Test
    void theBenchmarkRunsAndCountsWhatItMeasures() {
        CliRun run =
                CliRun.of(
                        Benchmarks::run,
                        "bench",
                        "--dir",
                        dir.toString(),
                        "--records",
                        "2000",
                        "--repetitions",
                        "1",
                        "--latency-rate",
                        "2000",
                        "--latency-duration",
                        "PT2S",
                        "--only",
                        "B ours files, store synced,E ours eager files,L at-least-once eager files",
                        "--plot",
                        dir.resolve("plot.png").toString());
        int code = run.code();
        String output = run.output();
        assertThat(code).as(output).isZero();
        assertThat(output)
                .contains("run 1 B ours files, store synced ")
                .contains("delivered 8,000")
                .doesNotContain("(!)")
                .contains("synced store writes per batch = ")
                .contains("latency B ours files, store synced @1s")
                .contains("latency B ours files, store synced @10s")
                .contains("run 1 E ours eager files, store synced ")
                .contains("latency E ours eager files, store synced @60s")
                .contains("ratio ours eager exactly-once/at-least-once = ")
                .contains("ratio ours eager p99/at-least-once eager p99 @60s = ")
                .contains("ratio ours eager p99 @60s/@1s = ")
                .contains("store writes E ours eager files, store synced @1s")
                .contains(" per delivery");
        assertThat(dir.resolve("plot.png")).exists();
        assertThat(Files.isRegularFile(dir.resolve("plot.png"))).isTrue();
    }
}
