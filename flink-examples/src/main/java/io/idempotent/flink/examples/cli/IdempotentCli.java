package io.idempotent.flink.examples.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The command-line tool: create and fill a local stream, look at every partition's end, committed
 * position and pending checkpoint, deliver by hand, and run the protocol demo.
 */
@Command(
        name = "idempotent",
        mixinStandardHelpOptions = true,
        // Every command answers --help and shows each option's default.
        scope = CommandLine.ScopeType.INHERIT,
        showDefaultValues = true,
        description = "Exactly-once delivery from partitioned streams: tools and demo.",
        subcommands = {
            CreateCommand.class,
            AppendCommand.class,
            StatusCommand.class,
            ResetCommand.class,
            DeliverCommand.class,
            DemoCommand.class,
            JobCommand.class,
            CampaignCommand.class,
            ScaleCommand.class,
            BenchCommand.class
        })
public final class IdempotentCli implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /**
     * Where Flink's and the library's log goes (log4j2.properties of this module): the stack traces
     * of failures stay out of the tool's output.
     */
    static java.nio.file.Path logFile() {
        return java.nio.file.Path.of(
                System.getProperty(
                        "idempotent.log.file",
                        java.nio.file.Path.of(
                                        System.getProperty("java.io.tmpdir"), "idempotent-cli.log")
                                .toString()));
    }

    /** Runs the tool and returns its exit code; for tests. */
    public static int run(String... args) {
        return new CommandLine(new IdempotentCli())
                .setExecutionExceptionHandler(
                        (e, commandLine, parseResult) -> {
                            // A user needs what failed and why, not a stack trace.
                            commandLine.getErr().println("Error: " + e.getMessage());
                            for (Throwable cause = e.getCause();
                                    cause != null && cause != cause.getCause();
                                    cause = cause.getCause()) {
                                commandLine.getErr().println("  caused by: " + cause);
                            }
                            return 1;
                        })
                .execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
