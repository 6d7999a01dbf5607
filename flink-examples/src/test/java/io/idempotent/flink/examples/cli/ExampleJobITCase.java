package io.idempotent.flink.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's run command, smaller: the example job with injected failures ends exactly once. */
class ExampleJobITCase {

    @TempDir Path dir;

    @Test
    void theExampleJobDeliversExactlyOnceDespiteInjectedFailures() {
        CliRun run =
                CliRun.of("job", "--dir", dir.toString(), "--records", "20000", "--failures", "3");
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
}
