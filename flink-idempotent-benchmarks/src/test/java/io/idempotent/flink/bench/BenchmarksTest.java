package io.idempotent.flink.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.idempotent.flink.testutils.CliRun;
import io.idempotent.flink.testutils.CommandLineChecks;
import io.idempotent.flink.testutils.DocumentedCommands;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchmarksTest {

    /** Every command answers {@code --help} with each option, its description and its default. */
    @Test
    void everyCommandAnswersHelpWithEveryOptionAndItsDefault() {
        CommandLineChecks.everyCommandAnswersHelp(new Benchmarks(), Benchmarks::run);
    }

    /**
     * The commands the docs give (benchmarks.md, guarantees.md) run this module's entry class and
     * parse: each one's arguments with {@code --help} exit with 0, so every option it names exists.
     */
    @Test
    void everyDocumentedCommandReachesTheBenchmarksAndParses() {
        assertThat(DocumentedCommands.execMainClass()).isEqualTo(Benchmarks.class.getName());
        List<List<String>> commands = DocumentedCommands.cliArgs("flink-idempotent-benchmarks");
        assertThat(commands).extracting(c -> c.get(0)).contains("bench", "scale", "campaign");
        for (List<String> command : commands) {
            List<String> args = new ArrayList<>(command);
            args.add("--help");
            CliRun run = CliRun.of(Benchmarks::run, args.toArray(String[]::new));
            assertThat(run.code()).as("%s: %s", command, run.output()).isZero();
        }
    }

    /** What a reader types from the README and the docs is a command and options of this tool. */
    @Test
    void everyDocumentedCommandAndOptionExists() {
        CommandLineChecks.everyDocumentedCommandExists(new Benchmarks(), "benchmarks");
    }
}
