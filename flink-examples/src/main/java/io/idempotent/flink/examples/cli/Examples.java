package io.idempotent.flink.examples.cli;

import io.idempotent.flink.tools.IdempotentTools;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The examples: the protocol demo without Flink ({@code demo}), a delivery by hand ({@code
 * deliver}) and the example Flink job with faults ({@code job}), each verified from what the
 * destination holds. Run with {@code mvn -q -pl flink-examples -am -DskipTests package exec:exec
 * -Dcli.args="demo"}.
 */
@Command(
        name = "examples",
        mixinStandardHelpOptions = true,
        scope = CommandLine.ScopeType.INHERIT,
        showDefaultValues = true,
        description = "Exactly-once delivery from partitioned streams: the examples.",
        subcommands = {DemoCommand.class, DeliverCommand.class, JobCommand.class})
public final class Examples implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        IdempotentTools.logToOwnFile();
        System.exit(run(args));
    }

    /** Runs an example and returns its exit code; for tests. */
    public static int run(String... args) {
        return IdempotentTools.execute(new Examples(), args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
