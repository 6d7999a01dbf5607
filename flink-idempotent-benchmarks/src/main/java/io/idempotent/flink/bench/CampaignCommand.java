package io.idempotent.flink.bench;

import io.idempotent.flink.campaign.FaultCampaign;
import io.idempotent.flink.tools.IdempotentTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The seeded fault campaign: every mode, destination and stream, each under injected faults. */
@Command(
        name = "campaign",
        description =
                "Runs the seeded fault campaign: each combination of delivery mode (eager,"
                        + " barrier), destination (files, PostgreSQL, HTTP) and stream (embedded,"
                        + " Kafka) as a job under injected faults of every kind, each verified"
                        + " from what its destination holds. The same seed replays the same"
                        + " faults.")
final class CampaignCommand implements Callable<Integer> {

    @Option(names = "--seed", description = "The faults' seed (default: a new one, printed).")
    Long seed;

    @Option(
            names = "--records",
            defaultValue = "240000",
            description = "Records in all, spread over the 12 cells. Default: ${DEFAULT-VALUE}.")
    long records;

    @Option(
            names = "--faults",
            defaultValue = "60",
            description = "Faults in all, spread over the 12 cells. Default: ${DEFAULT-VALUE}.")
    int faults;

    @Option(names = "--partitions", defaultValue = "4", description = "Default: ${DEFAULT-VALUE}.")
    int partitions;

    @Option(names = "--parallelism", defaultValue = "2", description = "Default: ${DEFAULT-VALUE}.")
    int parallelism;

    @Option(
            names = "--checkpoint-interval",
            defaultValue = "PT0.1S",
            description = "ISO-8601 duration. Default: ${DEFAULT-VALUE}.")
    Duration checkpointInterval;

    @Option(names = "--dir", description = "Working directory (default: a new temporary one).")
    Path dir;

    @Override
    public Integer call() throws Exception {
        if (records < 1 || faults < 0 || partitions < 1 || parallelism < 1) {
            throw new IllegalArgumentException(
                    "--records, --partitions and --parallelism must be positive, --faults not"
                            + " negative.");
        }
        Path work = dir != null ? dir : Files.createTempDirectory("idempotent-campaign");
        System.out.printf("Working directory: %s%n", work);
        System.out.printf(
                "Flink's log, with the stack traces of the injected faults: %s%n",
                IdempotentTools.logFile());
        boolean ok =
                FaultCampaign.run(
                        new FaultCampaign.Settings(
                                seed != null ? seed : System.nanoTime(),
                                records,
                                faults,
                                partitions,
                                parallelism,
                                checkpointInterval,
                                work),
                        System.out);
        return ok ? 0 : 1;
    }
}
