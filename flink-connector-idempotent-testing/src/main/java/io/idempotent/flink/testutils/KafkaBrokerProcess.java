package io.idempotent.flink.testutils;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A Kafka broker in a process of its own: {@link #start} launches this class's {@link #main}, which
 * starts the broker, writes its bootstrap servers to a file, and runs until its standard input
 * closes (or it is killed). Its own process has its own limits of open files and memory maps: a
 * broker of topics with 10,000 partitions exceeds them when it shares a JVM with a job.
 */
public final class KafkaBrokerProcess implements AutoCloseable {

    private final Process process;
    private final String bootstrapServers;

    private KafkaBrokerProcess(Process process, String bootstrapServers) {
        this.process = process;
        this.bootstrapServers = bootstrapServers;
    }

    public static void main(String[] args) throws IOException {
        serve(KafkaBroker.bootstrapServers(), Path.of(args[0]));
    }

    /** Says the broker at {@code servers} is ready, then runs until standard input closes. */
    static void serve(String servers, Path ready) throws IOException {
        Path partial = ready.resolveSibling(ready.getFileName() + ".tmp");
        Files.writeString(partial, servers);
        Files.move(partial, ready);
        InputStream in = System.in;
        while (in.read() >= 0) {
            // until the test closes our input
        }
        System.exit(0);
    }

    /** Starts a broker with {@code classpath} (this class's and Kafka's) and {@code jvmOptions}. */
    public static KafkaBrokerProcess start(Path dir, String classpath, List<String> jvmOptions)
            throws Exception {
        return start(dir, classpath, jvmOptions, KafkaBrokerProcess.class, List.of());
    }

    /**
     * Starts {@code main}, a class whose {@code main(ready, arguments…)} starts a broker, writes
     * its bootstrap servers to the file {@code ready} and runs until its standard input closes.
     */
    public static KafkaBrokerProcess start(
            Path dir,
            String classpath,
            List<String> jvmOptions,
            Class<?> main,
            List<String> arguments)
            throws Exception {
        Files.createDirectories(dir);
        Path ready = dir.resolve("bootstrap-servers");
        Files.deleteIfExists(ready);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classpath);
        command.add(main.getName());
        command.add(ready.toString());
        command.addAll(arguments);
        Process process =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("kafka.out").toFile())
                        .start();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!Files.exists(ready)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException(
                        "The Kafka broker did not start; see " + dir.resolve("kafka.out"));
            }
            Thread.sleep(200);
        }
        return new KafkaBrokerProcess(process, Files.readString(ready).trim());
    }

    /** How many files the broker's process holds open now (Linux: its {@code /proc} entry). */
    public long openFiles() throws IOException {
        try (var files = Files.list(Path.of("/proc", Long.toString(process.pid()), "fd"))) {
            return files.count();
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public void close() throws Exception {
        process.getOutputStream().close();
        if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
