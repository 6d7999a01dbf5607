package io.idempotent.flink.examples.cli;

import io.idempotent.flink.examples.bench.PipelineBenchmark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "bench",
        description =
                "Measures the same job with a discarding sink, an at-least-once file sink and the"
                        + " exactly-once sink (store synced and relaxed), and prints ratios"
                        + " measured in the same run.")
final class BenchCommand implements Callable<Integer> {

    @Option(names = "--dir", description = "Working directory (default: a new temporary one).")
    Path dir;

    @Option(names = "--partitions", defaultValue = "4")
    int partitions;

    @Option(names = "--records", defaultValue = "500000", description = "Per partition.")
    int records;

    @Option(names = "--payload-bytes", defaultValue = "200")
    int payloadBytes;

    @Option(names = "--parallelism", defaultValue = "2")
    int parallelism;

    @Option(names = "--checkpoint-interval", defaultValue = "PT1S")
    Duration checkpointInterval;

    @Option(names = "--repetitions", defaultValue = "3")
    int repetitions;

    @Option(
            names = "--only",
            description =
                    "Run only the variants whose name starts with this, e.g. 'B' (for profiling).")
    String only;

    @Override
    public Integer call() throws Exception {
        Path work = dir != null ? dir : Files.createTempDirectory("idempotent-bench");
        PipelineBenchmark.run(
                new PipelineBenchmark.Settings(
                        work,
                        partitions,
                        records,
                        payloadBytes,
                        parallelism,
                        checkpointInterval,
                        repetitions,
                        only),
                System.out);
        return 0;
    }
}
