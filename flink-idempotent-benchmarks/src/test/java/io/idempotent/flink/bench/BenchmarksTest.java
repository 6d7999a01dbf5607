package io.idempotent.flink.bench;

import io.idempotent.flink.testutils.CommandLineChecks;
import org.junit.jupiter.api.Test;

class BenchmarksTest {

    /** Every command answers {@code --help} with each option, its description and its default. */
    @Test
    void everyCommandAnswersHelpWithEveryOptionAndItsDefault() {
        CommandLineChecks.everyCommandAnswersHelp(new Benchmarks(), Benchmarks::run);
    }
}
