package io.idempotent.flink.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "bench",
        description =
                "Measures the same job with a discarding sink, at-least-once sinks, this"
                        + " library's exactly-once sink (files, PostgreSQL, HTTP; store synced and"
                        + " relaxed) and Flink's KafkaSink, for throughput and latency, and prints"
                        + " ratios measured in the same run.")
final class BenchCommand implements Callable<Integer> {

    @Option(names = "--dir", description = "Working directory (default: a new temporary one).")
    Path dir;

    @Option(
            names = "--partitions",
            defaultValue = "4",
            description = "Partitions of the throughput runs' stream.")
    int partitions;

    @Option(
            names = "--records",
            defaultValue = "500000",
            description = "Records per partition in the throughput runs.")
    int records;

    @Option(
            names = "--payload-bytes",
            defaultValue = "200",
            description = "Bytes of each record's payload.")
    int payloadBytes;

    @Option(names = "--parallelism", defaultValue = "2", description = "The jobs' parallelism.")
    int parallelism;

    @Option(
            names = "--checkpoint-interval",
            defaultValue = "PT1S",
            description = "Checkpoint interval of the throughput runs (ISO-8601, e.g. PT1S).")
    Duration checkpointInterval;

    @Option(
            names = "--repetitions",
            defaultValue = "5",
            description = "Throughput runs per variant, interleaved; the best counts.")
    int repetitions;

    @Option(
            names = "--latency-rate",
            defaultValue = "20000",
            description = "Records per second the live producer appends in the latency runs.")
    int latencyRate;

    @Option(
            names = "--latency-duration",
            defaultValue = "PT15S",
            description = "How long the live producer runs per latency variant.")
    Duration latencyDuration;

    @Option(names = "--plot", description = "Where to write the PNG plot (default: none).")
    Path plot;

    @Option(
            names = "--only",
            description =
                    "Run only the variants whose name starts with one of these comma-separated"
                            + " prefixes, e.g. 'A at-least-once files,B ours files'.")
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
                        latencyRate,
                        latencyDuration,
                        plot,
                        only),
                System.out);
        return 0;
    }
}
