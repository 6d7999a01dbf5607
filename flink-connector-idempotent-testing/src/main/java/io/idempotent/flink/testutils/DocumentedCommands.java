package io.idempotent.flink.testutils;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
        List<List<String>> commands = new ArrayList<>();
        for (Path file : documents()) {
            for (String line : read(file).split("\n")) {
                if (!line.contains("-pl " + module + " ")) {
                    continue;
                }
                Matcher args = CLI_ARGS.matcher(line);
                if (args.find() && !args.group(1).contains("…")) {
                    commands.add(words(args.group(1)));
                }
            }
        }
        return commands;
    }

    /** The words of a command line as a shell splits them: quotes ('…') keep a word whole. */
    static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        Matcher word = WORD.matcher(line);
        while (word.find()) {
            words.add(word.group(1) != null ? word.group(1) : word.group(2));
        }
        return words;
    }

    private static final Pattern WORD = Pattern.compile("'([^']*)'|(\\S+)");

    /** README.md and docs/*.md, without the journal of old benchmark runs. */
    private static List<Path> documents() {
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
        return files;
    }

    private static final Pattern CODE_SPAN = Pattern.compile("`([^`]+)`");
    private static final Pattern TOOL_ROW = Pattern.compile("^\\| (?:(examples|benchmarks): )?`");

    /**
     * Every command line of {@code tool} the docs show, without the tool's name: for {@code
     * "idempotent"} each code span that starts with {@code idempotent} or {@code bin/idempotent},
     * and the rows of the README's table of commands without a prefix; for {@code "examples"} and
     * {@code "benchmarks"} the rows prefixed so, and the arguments of their documented {@code
     * exec:exec} runs. Placeholders and optional parts are kept as written: a check reads the
     * command's name and its {@code --options}.
     */
    public static List<String> toolCommands(String tool) {
        List<String> commands = new ArrayList<>();
        for (Path file : documents()) {
            for (String line : read(file).split("\n")) {
                Matcher row = TOOL_ROW.matcher(line);
                if (row.find() && file.getFileName().toString().equals("README.md")) {
                    String prefix = row.group(1) == null ? "idempotent" : row.group(1);
                    Matcher span = CODE_SPAN.matcher(line);
                    if (prefix.equals(tool) && span.find(row.end() - 1)) {
                        commands.add(span.group(1).replace("\\|", "|"));
                    }
                    continue;
                }
                if (tool.equals("idempotent")) {
                    Matcher span = CODE_SPAN.matcher(line);
                    while (span.find()) {
                        String code = span.group(1);
                        for (String start : List.of("bin/idempotent ", "idempotent ")) {
                            if (code.startsWith(start)) {
                                commands.add(code.substring(start.length()));
                                break;
                            }
                        }
                    }
                }
            }
        }
        if (!tool.equals("idempotent")) {
            String module =
                    tool.equals("examples") ? "flink-examples" : "flink-idempotent-benchmarks";
            for (List<String> args : cliArgs(module)) {
                commands.add(String.join(" ", args));
            }
        }
        return commands;
    }

    /**
     * Every fenced block of {@code language} (e.g. {@code "java"}, {@code "sql"}) in the README and
     * the docs, indented ones included, as {where, code}: where is the file and the block's number.
     */
    public static List<String[]> codeBlocks(String language) {
        Pattern fence =
                Pattern.compile(
                        "^\\s*```" + Pattern.quote(language) + "\\n(.*?)^\\s*```",
                        Pattern.DOTALL | Pattern.MULTILINE);
        List<String[]> blocks = new ArrayList<>();
        for (Path file : documents()) {
            Matcher block = fence.matcher(read(file));
            int n = 0;
            while (block.find()) {
                blocks.add(new String[] {file.getFileName() + " #" + ++n, block.group(1)});
            }
        }
        if (blocks.isEmpty()) {
            throw new AssertionError("The docs show no " + language + " block");
        }
        return blocks;
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
