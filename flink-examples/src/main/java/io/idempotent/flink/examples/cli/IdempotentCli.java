package io.idempotent.flink.examples.cli;

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
        // Before anything logs: log4j reads the property when it starts.
        if (System.getProperty(LOG_FILE) == null) {
            try {
                System.setProperty(LOG_FILE, ownLogFile().toString());
            } catch (IOException | RuntimeException e) {
                System.err.println("Cannot create the tool's log directory: " + e.getMessage());
            }
        }
        System.exit(run(args));
    }

    private static final String LOG_FILE = "idempotent.log.file";

    /**
     * Where Flink's and the library's log goes (log4j2.properties of this module): the stack traces
     * of failures stay out of the tool's output. {@code -Didempotent.log.file=...} chooses it; by
     * default it is {@link #ownLogFile()}.
     */
    static Path logFile() {
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
