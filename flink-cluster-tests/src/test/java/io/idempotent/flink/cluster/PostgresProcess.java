package io.idempotent.flink.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The running PostgreSQL server of the tests, as a process to stop and start again: found by its
 * port among this machine's processes ({@code /proc}), signalled directly ({@code pg_ctl} refuses
 * to run as root, which the embedded server's own binary does not), and started again with the very
 * binary and options it was started with, on the same data directory and port.
 */
final class PostgresProcess {

    private final Path binaries;
    private final Path dataDirectory;
    private final List<String> options;
    private final Path log;
    private long postmaster;

    private PostgresProcess(
            Path binaries, Path dataDirectory, List<String> options, Path log, long postmaster) {
        this.binaries = binaries;
        this.dataDirectory = dataDirectory;
        this.options = options;
        this.log = log;
        this.postmaster = postmaster;
    }

    /** The server listening on {@code port}; its log after a restart goes to {@code log}. */
    static PostgresProcess listeningOn(int port, Path log) throws IOException {
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            for (Path process : processes.toList()) {
                if (!process.getFileName().toString().matches("\\d+")) {
                    continue;
                }
                List<String> args;
                try {
                    args = commandLine(process);
                } catch (IOException gone) {
                    continue;
                }
                int d = args.indexOf("-D");
                int p = args.indexOf("-p");
                if (!args.isEmpty()
                        && args.get(0).endsWith("/bin/postgres")
                        && d > 0
                        && p > 0
                        && args.get(p + 1).equals(Integer.toString(port))) {
                    return new PostgresProcess(
                            Path.of(args.get(0)).getParent(),
                            Path.of(args.get(d + 1)),
                            withoutDataDirectory(args),
                            log,
                            Long.parseLong(process.getFileName().toString()));
                }
            }
        }
        throw new IllegalStateException("No PostgreSQL server listens on port " + port);
    }

    private static List<String> withoutDataDirectory(List<String> args) {
        List<String> options = new ArrayList<>();
        for (int i = 1; i < args.size(); i++) {
            if (args.get(i).equals("-D")) {
                i++;
            } else {
                options.add(args.get(i));
            }
        }
        return options;
    }

    private static List<String> commandLine(Path process) throws IOException {
        byte[] raw = Files.readAllBytes(process.resolve("cmdline"));
        String joined = new String(raw, StandardCharsets.UTF_8);
        return joined.isEmpty() ? List.of() : Arrays.asList(joined.split("\0"));
    }

    /**
     * A fast shutdown ({@code pg_ctl stop -m fast}, which is {@code SIGINT} to the server): clients
     * are disconnected, their open transactions rolled back, and the server stops cleanly.
     */
    void stopFast() throws Exception {
        new ProcessBuilder("kill", "-INT", Long.toString(postmaster)).start().waitFor();
        awaitGone(postmaster);
    }

    private static void awaitGone(long pid) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (Files.exists(Path.of("/proc/" + pid))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("PostgreSQL process " + pid + " did not stop");
            }
            Thread.sleep(20);
        }
    }

    /**
     * {@code kill -9} of the server and every process of it, as in a crash of its machine: what was
     * committed must come back from the write-ahead log.
     */
    void kill() throws Exception {
        List<Long> victims = new ArrayList<>();
        victims.add(postmaster);
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            for (Path process : processes.toList()) {
                String name = process.getFileName().toString();
                if (!name.matches("\\d+")) {
                    continue;
                }
                try {
                    String stat = Files.readString(process.resolve("stat"));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    if (Long.parseLong(fields[1]) == postmaster) {
                        victims.add(Long.parseLong(name));
                    }
                } catch (IOException gone) {
                    // exited meanwhile
                }
            }
        }
        for (long pid : victims) {
            // A process that exited meanwhile is no failure.
            new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor();
        }
        for (long pid : victims) {
            awaitGone(pid);
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
        postmaster = server.pid();
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    try {
                                        new ProcessBuilder(
                                                        "kill", "-INT", Long.toString(server.pid()))
                                                .start()
                                                .waitFor();
                                    } catch (Exception ignored) {
                                        // the JVM is going away
                                    }
                                }));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try (java.sql.Connection ignored = java.sql.DriverManager.getConnection(jdbcUrl)) {
                return;
            } catch (java.sql.SQLException notYet) {
                if (!server.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "PostgreSQL did not start again; see " + log, notYet);
                }
                Thread.sleep(100);
            }
        }
    }
}
