package io.idempotent.flink.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.idempotent.flink.testutils.CliRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's run command, smaller: the example job with injected failures ends exactly once. */
class ExampleJobITCase {

    @TempDir Path dir;

    @Test
    void theExampleJobDeliversExactlyOnceDespiteInjectedFailures() {
        CliRun run =
                CliRun.of(
                        Examples::run,
                        "job",
                        "--dir",
                        dir.toString(),
                        "--records",
                        "20000",
                        "--failures",
                        "3");
        int code = run.code();
        String output = run.output();
        assertThat(code).as(output).isZero();
        assertThat(output)
                .contains("injected failure: user processing threw")
                .contains("injected failure: the destination wrote")
                .contains("EXACTLY ONCE");
        assertThat(output.lines().filter(l -> l.startsWith("total")))
                .containsExactly(
                        "total             80000        80000        0           0             0");
    }

    /**
     * Issue 12 §5: run as the README runs it (its own JVM, this module's logging configuration),
     * the example prints its progress, one line per injected failure and the verification, and
     * names the log file that holds the stack traces of the failures it injected.
     */
    @Test
    void theExamplesOutputHasNoStackTracesWhichGoToTheLogFileItNames() throws Exception {
        Path log = dir.resolve("flink.log");
        List<String> command =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "--add-opens=java.base/java.util=ALL-UNNAMED",
                                "--add-opens=java.base/java.lang=ALL-UNNAMED",
                                "--add-opens=java.base/java.time=ALL-UNNAMED",
                                "-Didempotent.log.file=" + log,
                                "-cp",
                                System.getProperty("java.class.path"),
                                Examples.class.getName(),
                                "job",
                                "--dir",
                                dir.resolve("work").toString(),
                                "--records",
                                "20000",
                                "--failures",
                                "3"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(240, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output)
                .contains("EXACTLY ONCE")
                .contains("injected failure")
                .contains("stack traces of the injected failures: " + log)
                .doesNotContain("\tat ")
                .doesNotContain("Exception");
        assertThat(Files.readString(log))
                .contains("injected failure")
                .contains("\tat io.idempotent.flink");
    }
}
