package io.idempotent.flink.tools;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The operator tools ({@code bin/idempotent}): look at every partition's end, committed position
 * and pending checkpoint ({@code status}), move a partition's checkpoint ({@code reset}), and
 * create and fill a local stream. Flink-free: the class path holds the core, the store's and
 * stream's clients, and nothing of the tests. {@link #execute} runs the examples' and benchmarks'
 * commands the same way.
 */
@Command(
        name = "idempotent",
        mixinStandardHelpOptions = true,
        // Every command answers --help and shows each option's default.
        scope = CommandLine.ScopeType.INHERIT,
        showDefaultValues = true,
        description = "Exactly-once delivery from partitioned streams: the operator tools.",
        subcommands = {
            StatusCommand.class,
            ResetCommand.class,
            CreateCommand.class,
            AppendCommand.class
        })
public final class IdempotentTools implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        logToOwnFile();
        System.exit(run(args));
    }

    /**
     * Sends the log to {@link #logFile()}; call it first in a {@code main}, before anything logs
     * (log4j reads the property when it starts).
     */
    public static void logToOwnFile() {
        if (System.getProperty(LOG_FILE) == null) {
            try {
                System.setProperty(LOG_FILE, ownLogFile().toString());
            } catch (IOException | RuntimeException e) {
                System.err.println("Cannot create the tool's log directory: " + e.getMessage());
            }
        }
    }

    private static final String LOG_FILE = "idempotent.log.file";

    /**
     * Where Flink's and the library's log goes (log4j2.properties of this module): the stack traces
     * of failures stay out of the tool's output. {@code -Didempotent.log.file=...} chooses it; by
     * default it is {@link #ownLogFile()}.
     */
    public static Path logFile() {
        String chosen = System.getProperty(LOG_FILE);
        if (chosen != null) {
            return Path.of(chosen);
        }
        try {
            return ownLogFile();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The user's own log file, {@code $XDG_STATE_HOME/idempotent/cli.log} (by default under {@code
     * ~/.local/state}): in a directory only the user can enter, created so if missing, never in the
     * shared temporary directory where another user could place a link under a known name first.
     */
    static Path ownLogFile() throws IOException {
        String state = System.getenv("XDG_STATE_HOME");
        Path base =
                state != null && !state.isBlank()
                        ? Path.of(state)
                        : Path.of(System.getProperty("user.home"), ".local", "state");
        Path directory = base.resolve("idempotent");
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Set<PosixFilePermission> owner = PosixFilePermissions.fromString("rwx------");
            if (!Files.isDirectory(directory)) {
                Files.createDirectories(base);
                try {
                    Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(owner));
                } catch (FileAlreadyExistsException raced) {
                    // Created meanwhile: checked below like an old one.
                }
            }
            UserPrincipal me =
                    FileSystems.getDefault()
                            .getUserPrincipalLookupService()
                            .lookupPrincipalByName(System.getProperty("user.name"));
            if (Files.isSymbolicLink(directory)
                    || !Files.getOwner(directory, LinkOption.NOFOLLOW_LINKS).equals(me)) {
                throw new IOException(
                        directory
                                + " is a link or belongs to another user: choose a log file"
                                + " with -Didempotent.log.file=...");
            }
            Files.setPosixFilePermissions(directory, owner);
        } else {
            Files.createDirectories(directory);
        }
        return directory.resolve("cli.log");
    }

    /** Runs the tool and returns its exit code; for tests. */
    public static int run(String... args) {
        return execute(new IdempotentTools(), args);
    }

    /**
     * Runs a picocli {@code command} with {@code args} and returns its exit code: 0 done, 1 failed
     * (what failed and why, without a stack trace: that goes to the log), 2 wrong usage.
     */
    public static int execute(Object command, String... args) {
        return new CommandLine(command)
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
