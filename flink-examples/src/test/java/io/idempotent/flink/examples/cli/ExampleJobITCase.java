package io.idempotent.flink.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's run command, smaller: the example job with injected failures ends exactly once. */
class ExampleJobITCase {

    @TempDir Path dir;

    @Test
    void theExampleJobDeliversExactlyOnceDespiteInjectedFailures() {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int code;
        try {
            code =
                    IdempotentCli.run(
                            "job",
                            "--dir",
                            dir.toString(),
                            "--records",
                            "20000",
                            "--failures",
                            "3");
        } finally {
            System.setOut(original);
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        assertThat(code).as(output).isZero();
        assertThat(output)
                .contains("injected failure: user processing threw")
                .contains("injected failure: the destination wrote")
                .contains("EXACTLY ONCE");
        assertThat(output.lines().filter(l -> l.startsWith("total")))
                .containsExactly(
                        "total             80000        80000        0           0             0");
    }
}
