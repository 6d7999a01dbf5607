package io.idempotent.flink.testutils;

import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

    /**
     * Every documented command line of the tool ({@link DocumentedCommands#toolCommands}) names a
     * command of {@code command} and only options that command has: a reader who types what the
     * docs show is never told the command or an option does not exist.
     */
    public static void everyDocumentedCommandExists(Object command, String tool) {
        CommandLine root = new CommandLine(command);
        List<String> documented = DocumentedCommands.toolCommands(tool);
        require(!documented.isEmpty(), "the docs show commands of " + tool);
        List<String> wrong = new java.util.ArrayList<>();
        for (String line : documented) {
            try {
                String name = line.trim().split("\\s+")[0];
                if (name.equals(name.toUpperCase(java.util.Locale.ROOT))) {
                    continue; // a placeholder: "idempotent COMMAND …"
                }
                CommandLine sub = root.getSubcommands().get(name);
                require(
                        sub != null,
                        String.format(
                                "the documented '%s %s' names a command of %s (it has %s)",
                                tool, line, tool, root.getSubcommands().keySet()));
                Matcher option = OPTION.matcher(line);
                while (option.find()) {
                    require(
                            sub.getCommandSpec().findOption(option.group()) != null,
                            String.format(
                                    "%s %s has the option %s the docs show in '%s'",
                                    tool, name, option.group(), line));
                }
            } catch (AssertionError e) {
                wrong.add(e.getMessage());
            }
        }
        require(
                wrong.isEmpty(),
                "every documented command exists, but: " + String.join("; ", wrong));
    }

    private static final Pattern OPTION = Pattern.compile("--[a-z][a-z0-9-]*");

    private static void require(boolean holds, String what) {
        if (!holds) {
            throw new AssertionError("Expected: " + what);
        }
    }
}
