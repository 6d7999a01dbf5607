package io.idempotent.flink.cluster;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The running PostgreSQL server of the tests, as a process to stop and start again: found by its
 * port among this machine's processes, stopped with a signal ({@code pg_ctl} refuses to run as
 * root), and started again with the very binary and options it was started with, on the same data
 * directory and port.
 */
final class PostgresProcess {

    private final Path binaries;
    private final Path dataDirectory;
    private final List<String> options;
    private final Path log;
    private ProcessHandle postmaster;

    private PostgresProcess(
            Path binaries,
            Path dataDirectory,
            List<String> options,
            Path log,
            ProcessHandle postmaster) {
        this.binaries = binaries;
        this.dataDirectory = dataDirectory;
        this.options = options;
        this.log = log;
        this.postmaster = postmaster;
    }

    /** The server listening on {@code port}; its log after a restart goes to {@code log}. */
    static PostgresProcess listeningOn(int port, Path log) {
        return ProcessHandle.allProcesses()
                .filter(
                        process ->
                                process.info().command().orElse("").endsWith("/bin/postgres")
                                        && arguments(process).contains("-D")
                                        && listensOn(arguments(process), port))
                .findFirst()
                .map(
                        process -> {
                            List<String> args = arguments(process);
                            int d = args.indexOf("-D");
                            List<String> options = new ArrayList<>(args);
                            options.subList(d, d + 2).clear();
                            return new PostgresProcess(
                                    Path.of(process.info().command().orElseThrow()).getParent(),
                                    Path.of(args.get(d + 1)),
                                    options,
                                    log,
                                    process);
                        })
                .orElseThrow(
                        () ->
                                new IllegalStateException(
                                        "No PostgreSQL server listens on port " + port));
    }

    private static boolean listensOn(List<String> args, int port) {
        int p = args.indexOf("-p");
        return p >= 0 && p + 1 < args.size() && args.get(p + 1).equals(Integer.toString(port));
    }

    private static List<String> arguments(ProcessHandle process) {
        return Arrays.asList(process.info().arguments().orElse(new String[0]));
    }

    /**
     * A fast shutdown ({@code pg_ctl stop -m fast}, which is {@code SIGINT} to the server): clients
     * are disconnected, their open transactions rolled back, and the server stops cleanly.
     */
    void stopFast() throws Exception {
        interrupt(postmaster);
        postmaster.onExit().get(60, TimeUnit.SECONDS);
    }

    /** {@code SIGINT}, which {@link ProcessHandle} does not send. */
    private static void interrupt(ProcessHandle process) throws Exception {
        new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start().waitFor();
    }

    /**
     * {@code kill -9} of the server and every process of it, as in a crash of its machine: what was
     * committed must come back from the write-ahead log.
     */
    void kill() throws Exception {
        List<ProcessHandle> victims =
                Stream.concat(Stream.of(postmaster), postmaster.descendants()).toList();
        victims.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle victim : victims) {
            victim.onExit().get(60, TimeUnit.SECONDS);
        }
    }

    /**
     * Starts the server again on its data directory, port and options, and waits until it takes
     * connections; it is stopped when this JVM ends.
     */
    void start(String jdbcUrl) throws Exception {
        // As the embedded server starts it: in a user namespace of its own, where this JVM's root
        // is not root (PostgreSQL refuses to run as root).
        List<String> command = new ArrayList<>(List.of("unshare", "-U"));
        command.add(binaries.resolve("postgres").toString());
        command.add("-D");
        command.add(dataDirectory.toString());
        command.addAll(options);
        Process server =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                        .start();
        postmaster = server.toHandle();
        ProcessHandle started = postmaster;
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    try {
                                        interrupt(started);
                                    } catch (Exception ignored) {
                                        // the JVM is going away
                                    }
                                }));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try (Connection ignored = DriverManager.getConnection(jdbcUrl)) {
                return;
            } catch (SQLException notYet) {
                if (!server.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "PostgreSQL did not start again; see " + log, notYet);
                }
                Thread.sleep(100);
            }
        }
    }
}
