package io.idempotent.flink.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int code;
        try {
            code =
                    IdempotentCli.run(
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
                            "B ours files, store synced",
                            "--plot",
                            dir.resolve("plot.png").toString());
        } finally {
            System.setOut(original);
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        assertThat(code).as(output).isZero();
        assertThat(output)
                .contains("run 1 B ours files, store synced ")
                .contains("delivered 8,000")
                .doesNotContain("(!)")
                .contains("synced store writes per batch = ")
                .contains("latency B ours files, store synced @1s")
                .contains("latency B ours files, store synced @10s");
        assertThat(dir.resolve("plot.png")).exists();
        assertThat(Files.isRegularFile(dir.resolve("plot.png"))).isTrue();
    }
}
