package io.idempotent.flink.bench;

import io.idempotent.flink.tools.IdempotentTools;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The benchmarks ({@code bench}, {@code scale}) and the seeded fault campaign ({@code campaign}).
 * Run with {@code mvn -q -pl flink-idempotent-benchmarks -am -DskipTests package exec:exec
 * -Dcli.args="bench"}; docs/benchmarks.md and docs/guarantees.md give the commands behind every
 * published figure.
 */
@Command(
        name = "benchmarks",
        mixinStandardHelpOptions = true,
        scope = CommandLine.ScopeType.INHERIT,
        showDefaultValues = true,
        description = "Exactly-once delivery from partitioned streams: benchmarks and campaign.",
        subcommands = {BenchCommand.class, ScaleCommand.class, CampaignCommand.class})
public final class Benchmarks implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        IdempotentTools.logToOwnFile();
        System.exit(run(args));
    }

    /** Runs a benchmark and returns its exit code; for tests. */
    public static int run(String... args) {
        return IdempotentTools.execute(new Benchmarks(), args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
