package io.idempotent.flink.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "scale",
        description =
                "Runs the same job at growing partition counts (same total records, same total"
                        + " rate) from the embedded stream and Kafka, on the RocksDB and the"
                        + " PostgreSQL store, and reports what grows with the partitions: time to"
                        + " the first delivery, acquisitions, store writes per delivery, state,"
                        + " metric series, heap, throughput, p99 latency, recovery.")
final class ScaleCommand implements Callable<Integer> {

    @Option(
            names = "--sizes",
            split = ",",
            defaultValue = "10,100,1000,10000",
            description = "Partition counts. Default: ${DEFAULT-VALUE}.")
    List<Integer> sizes;

    @Option(
            names = "--sources",
            split = ",",
            defaultValue = "EMBEDDED,KAFKA",
            description = "Streams. Default: ${DEFAULT-VALUE}.")
    List<ScaleBenchmark.Source> sources;

    @Option(
            names = "--stores",
            split = ",",
            defaultValue = "ROCKSDB,POSTGRES",
            description = "Checkpoint stores. Default: ${DEFAULT-VALUE}.")
    List<ScaleBenchmark.Store> stores;

    @Option(
            names = "--destination",
            defaultValue = "MEMORY",
            description =
                    "MEMORY (identities in memory: the connector's own costs) or FILES (a file"
                            + " and two fsyncs per batch). Default: ${DEFAULT-VALUE}.")
    ScaleBenchmark.Destination destination;

    @Option(
            names = "--records",
            defaultValue = "1000000",
            description = "Records in all per bounded run. Default: ${DEFAULT-VALUE}.")
    long records;

    @Option(
            names = "--steady-records",
            defaultValue = "3000000",
            description =
                    "Records in all of the backlog a running job drains for the steady"
                            + " throughput. Default: ${DEFAULT-VALUE}.")
    long steadyRecords;

    @Option(
            names = "--steady-repeats",
            defaultValue = "3",
            description =
                    "How many backlogs the running job drains, one after another; the median"
                            + " counts. Default: ${DEFAULT-VALUE}.")
    int steadyRepeats;

    @Option(
            names = "--rounds",
            defaultValue = "2",
            description =
                    "How many times every size's steady drains run, the sizes in the other order"
                            + " each round; per size the best round counts (a run is only ever"
                            + " slowed by the machine). Default: ${DEFAULT-VALUE}.")
    int rounds;

    @Option(
            names = "--payload-bytes",
            defaultValue = "200",
            description = "Default: ${DEFAULT-VALUE}.")
    int payloadBytes;

    @Option(names = "--parallelism", defaultValue = "2", description = "Default: ${DEFAULT-VALUE}.")
    int parallelism;

    @Option(
            names = "--checkpoint-interval",
            defaultValue = "PT1S",
            description = "ISO-8601 duration. Default: ${DEFAULT-VALUE}.")
    Duration checkpointInterval;

    @Option(
            names = "--live-rate",
            defaultValue = "20000",
            description = "Records per second in all in the live runs. Default: ${DEFAULT-VALUE}.")
    int liveRate;

    @Option(
            names = "--live-duration",
            defaultValue = "PT15S",
            description = "How long each live run produces. Default: ${DEFAULT-VALUE}.")
    Duration liveDuration;

    @Option(
            names = "--per-partition-metrics",
            defaultValue = "true",
            arity = "1",
            description = "sink/scan.metrics.per-partition. Default: ${DEFAULT-VALUE}.")
    boolean perPartitionMetrics;

    @Option(
            names = "--flink-conf",
            description =
                    "A Flink option for every run, KEY=VALUE; repeatable (e.g."
                            + " state.storage.fs.memory-threshold=1mb).")
    Map<String, String> flinkConfiguration = new LinkedHashMap<>();

    @Option(names = "--plot", description = "Where to write the PNG plot (default: none).")
    Path plot;

    @Option(names = "--dir", description = "Working directory (default: a new temporary one).")
    Path dir;

    @Override
    public Integer call() throws Exception {
        if (records < 1
                || steadyRecords < 1
                || steadyRepeats < 1
                || rounds < 1
                || parallelism < 1
                || liveRate < 100
                || sizes.stream().anyMatch(s -> s < 1)) {
            throw new IllegalArgumentException(
                    "--records, --steady-records, --steady-repeats, --rounds, --parallelism and --sizes"
                            + " must be"
                            + " positive, --live-rate at least"
                            + " 100.");
        }
        Path work = dir != null ? dir : Files.createTempDirectory("idempotent-scale");
        ScaleBenchmark.run(
                new ScaleBenchmark.Settings(
                        work,
                        sizes,
                        sources,
                        stores,
                        destination,
                        records,
                        steadyRecords,
                        steadyRepeats,
                        rounds,
                        payloadBytes,
                        parallelism,
                        checkpointInterval,
                        liveRate,
                        liveDuration,
                        perPartitionMetrics,
                        flinkConfiguration,
                        plot),
                System.out);
        return 0;
    }
}
