package io.idempotent.flink.testutils;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The commands the README and the docs tell a user to run through Maven ({@code mvn -pl MODULE …
 * exec:exec -Dcli.args="…"}), and the entry class a module's {@code exec:exec} runs, read from the
 * files as a user reads them, so that a module's tests can check that each documented command
 * reaches the right entry class and parses. Paths are relative to a module's directory (where Maven
 * runs its tests). The journal of old benchmark runs is history and is not read.
 */
public final class DocumentedCommands {

    private static final Pattern CLI_ARGS = Pattern.compile("-Dcli\\.args=\"([^\"]*)\"");
    private static final Pattern EXEC_MAIN =
            Pattern.compile("-classpath %classpath (\\S+) \\$\\{cli\\.args\\}");

    private DocumentedCommands() {}

    /**
     * The arguments of every documented {@code exec:exec} of {@code module} that has concrete ones.
     */
    public static List<List<String>> cliArgs(String module) {
        List<Path> files = new ArrayList<>();
        files.add(Path.of("..", "README.md"));
        try (Stream<Path> docs = Files.list(Path.of("..", "docs"))) {
            docs.filter(p -> p.toString().endsWith(".md"))
                    .filter(p -> !p.getFileName().toString().equals("benchmarks-journal.md"))
                    .sorted()
                    .forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<List<String>> commands = new ArrayList<>();
        for (Path file : files) {
            for (String line : read(file).split("\n")) {
                if (!line.contains("-pl " + module + " ")) {
                    continue;
                }
                Matcher args = CLI_ARGS.matcher(line);
                if (args.find() && !args.group(1).contains("…")) {
                    commands.add(Arrays.asList(args.group(1).trim().split("\\s+")));
                }
            }
        }
        return commands;
    }

    /** The class the module's {@code exec:exec} runs, from its {@code pom.xml}. */
    public static String execMainClass() {
        Matcher main = EXEC_MAIN.matcher(read(Path.of("pom.xml")));
        if (!main.find()) {
            throw new AssertionError("pom.xml runs no main class with ${cli.args}");
        }
        return main.group(1);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
