package io.idempotent.flink.examples.cli;

import io.idempotent.flink.examples.job.ExampleJob;
import io.idempotent.flink.stream.local.LocalStream;
import io.idempotent.flink.tools.IdempotentTools;
import io.idempotent.flink.tools.SampleData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs the example Flink job on a local cluster in this JVM: creates and fills the embedded stream
 * when it is missing, delivers it into files with injected failures, and verifies the files.
 */
@Command(
        name = "job",
        description =
                "Runs the example Flink job (embedded stream -> transform -> files) with injected"
                        + " failures, then verifies what the files hold.")
final class JobCommand implements Callable<Integer> {

    @Option(
            names = "--dir",
            description =
                    "Working directory; the stream in it is reused if present (default: a new"
                            + " temporary one).")
    Path dir;

    @Option(names = "--partitions", defaultValue = "4", description = "Default: ${DEFAULT-VALUE}.")
    int partitions;

    @Option(
            names = "--records",
            defaultValue = "250000",
            description = "Records per partition of a new stream. Default: ${DEFAULT-VALUE}.")
    int records;

    @Option(
            names = "--failures",
            defaultValue = "3",
            description = "Injected failures. Default: ${DEFAULT-VALUE}.")
    int failures;

    @Option(names = "--parallelism", defaultValue = "2", description = "Default: ${DEFAULT-VALUE}.")
    int parallelism;

    @Option(
            names = "--checkpoint-interval",
            defaultValue = "PT0.5S",
            description = "ISO-8601 duration. Default: ${DEFAULT-VALUE}.")
    Duration checkpointInterval;

    @Override
    public Integer call() throws Exception {
        if (partitions < 1 || records < 1 || failures < 0 || parallelism < 1) {
            throw new IllegalArgumentException(
                    "--partitions, --records and --parallelism must be positive, --failures not"
                            + " negative.");
        }
        Path work = dir != null ? dir : Files.createTempDirectory("idempotent-job");
        Path streamDir = work.resolve("stream");
        Path storeDir = work.resolve("checkpoints");
        Path outDir = work.resolve("out");
        System.out.printf("Working directory: %s%n", work);
        System.out.printf(
                "Flink's log, with the stack traces of the injected failures: %s%n",
                IdempotentTools.logFile());
        long total = prepareStream(streamDir);
        ExampleJob.Settings settings =
                new ExampleJob.Settings(
                        streamDir,
                        storeDir,
                        outDir,
                        work.resolve("flink-checkpoints"),
                        parallelism,
                        checkpointInterval,
                        failures,
                        total);

        long started = System.nanoTime();
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try (LocalStream stream = LocalStream.open(streamDir)) {
            Future<?> job =
                    runner.submit(
                            () -> {
                                ExampleJob.run(settings);
                                return null;
                            });
            while (!job.isDone()) {
                try {
                    job.get(2, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException stillRunning) {
                    System.out.printf(
                            "  %5.1f s: %,d of %,d records committed%n",
                            (System.nanoTime() - started) / 1e9,
                            ExampleJob.committed(stream, storeDir),
                            total);
                }
            }
            job.get();
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf(
                    "Job finished in %.1f s (%,.0f records/s).%n%n", seconds, total / seconds);

            System.out.println("Verification (read from the files in " + outDir + "):");
            List<FileVerifier.Row> rows =
                    FileVerifier.verify(stream, outDir.resolve(ExampleJob.SINK));
            FileVerifier.print(rows, System.out);
            System.out.printf(
                    "batches sent %,d, re-sent after a failure %,d, repeats dropped by the"
                            + " destination %,d, failures injected %d%n",
                    ExampleJob.sends(),
                    ExampleJob.resends(),
                    ExampleJob.repeatsDropped(),
                    failures);
            boolean ok = FileVerifier.exactlyOnce(rows);
            System.out.println(
                    ok
                            ? "EXACTLY ONCE: every record delivered once, in order."
                            : "NOT EXACTLY ONCE: see the table above.");
            return ok ? 0 : 1;
        } finally {
            runner.shutdownNow();
        }
    }

    /** Creates and fills the stream if it is missing; returns the number of records in it. */
    private long prepareStream(Path streamDir) {
        if (!Files.exists(streamDir)) {
            long started = System.nanoTime();
            try (LocalStream stream = LocalStream.create(streamDir, "example", partitions)) {
                SampleData.fill(stream, records);
            }
            System.out.printf(
                    "Stream created: %d partitions x %,d records in %.1f s%n",
                    partitions, records, (System.nanoTime() - started) / 1e9);
        }
        try (LocalStream stream = LocalStream.open(streamDir)) {
            long total = 0;
            for (String partition : stream.partitions()) {
                total += stream.endSequence(partition);
            }
            return total;
        }
    }
}
