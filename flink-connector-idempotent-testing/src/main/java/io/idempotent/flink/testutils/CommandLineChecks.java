package io.idempotent.flink.testutils;

import java.util.Map;
import java.util.function.ToIntFunction;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** What every command line of the project must do, checked the same way for each. */
public final class CommandLineChecks {

    private CommandLineChecks() {}

    /**
     * {@code --help} of the top command and of every subcommand exits with 0 and lists each option,
     * which has a description, with its default where it has one.
     */
    public static void everyCommandAnswersHelp(Object command, ToIntFunction<String[]> main) {
        CommandLine tool = new CommandLine(command);
        require(CliRun.of(main, "--help").code() == 0, "--help exits with 0");
        for (Map.Entry<String, CommandLine> sub : tool.getSubcommands().entrySet()) {
            String name = sub.getKey();
            CliRun help = CliRun.of(main, name, "--help");
            require(help.code() == 0, name + " --help exits with 0");
            for (OptionSpec option : sub.getValue().getCommandSpec().options()) {
                require(
                        help.output().contains(option.longestName()),
                        name + " --help names " + option.longestName());
                require(
                        option.description().length > 0,
                        name + " " + option.longestName() + " has a description");
                if (option.defaultValue() != null) {
                    require(
                            help.output().contains("Default: " + option.defaultValue()),
                            name + " --help gives the default of " + option.longestName());
                }
            }
        }
    }

    private static void require(boolean holds, String what) {
        if (!holds) {
            throw new AssertionError("Expected: " + what);
        }
    }
}
