package io.idempotent.flink.examples.cli;

import io.idempotent.flink.checkpoint.FencedException;
import io.idempotent.flink.checkpoint.rocksdb.RocksDbCheckpointStore;
import io.idempotent.flink.destination.file.FileDestination;
import io.idempotent.flink.examples.cli.FaultInjectingDestination.Fault;
import io.idempotent.flink.protocol.DeliveryCounts;
import io.idempotent.flink.protocol.DeliveryException;
import io.idempotent.flink.protocol.PartitionPump;
import io.idempotent.flink.stream.local.LocalStream;
import io.idempotent.flink.tools.SampleData;
import io.idempotent.flink.tools.StatusCommand;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The protocol end to end without Flink: a local stream, the RocksDB checkpoint store and the file
 * destination, with workers that fail in the ways that matter and new workers that take over. Ends
 * with a verification table read from the files.
 */
@Command(
        name = "demo",
        description =
                "Fills a local stream, delivers it into files with injected failures and"
                        + " takeovers, and verifies what the files hold.")
final class DemoCommand implements Callable<Integer> {

    @Option(
            names = "--dir",
            description = "An empty or missing working directory (default: a new temporary one).")
    Path dir;

    @Option(names = "--partitions", defaultValue = "4", description = "Default: ${DEFAULT-VALUE}.")
    int partitions;

    @Option(
            names = "--records",
            defaultValue = "50000",
            description = "Records per partition. Default: ${DEFAULT-VALUE}.")
    int records;

    @Option(names = "--batch", defaultValue = "1000", description = "Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(
            names = "--failures",
            defaultValue = "3",
            description = "Injected failures, spread over the run. Default: ${DEFAULT-VALUE}.")
    int failures;

    private LocalStream stream;
    private RocksDbCheckpointStore store;
    private FaultInjectingDestination<String> destination;
    private PartitionPump<String> worker;
    private PartitionPump<String> takeoverWorker;
    private final DeliveryCounts total = new DeliveryCounts();
    private int workers;

    @Override
    public Integer call() throws Exception {
        if (partitions < 1 || records < 1 || batch < 1 || failures < 0) {
            throw new IllegalArgumentException(
                    "--partitions, --records and --batch must be positive, --failures not"
                            + " negative.");
        }
        Path work = dir != null ? dir : Files.createTempDirectory("idempotent-demo");
        Path out = work.resolve("out");
        System.out.printf("Working directory: %s%n", work);
        try (LocalStream created = LocalStream.create(work.resolve("stream"), "demo", partitions);
                RocksDbCheckpointStore checkpoints =
                        RocksDbCheckpointStore.open(work.resolve("checkpoints"))) {
            stream = created;
            store = checkpoints;
            fill();
            destination =
                    new FaultInjectingDestination<>(
                            FileDestination.create(out, s -> s.getBytes(StandardCharsets.UTF_8)));
            deliverWithFailures();

            System.out.println();
            StatusCommand.print(
                    stream, store, "RocksDB store " + work.resolve("checkpoints"), System.out);
            System.out.println();
            System.out.println("Verification (read from the files in " + out + "):");
            List<FileVerifier.Row> rows = FileVerifier.verify(stream, out);
            FileVerifier.print(rows, System.out);
            System.out.printf(
                    "batches sent %d, re-sent after a failure %d, repeats dropped by the"
                            + " destination %d, checkpoint store writes %d, workers %d%n",
                    total.batchesSent(),
                    total.replayed(),
                    total.repeatsDropped(),
                    total.storeWrites(),
                    workers);
            boolean ok = FileVerifier.exactlyOnce(rows);
            System.out.println(
                    ok
                            ? "EXACTLY ONCE: every record delivered once, in order."
                            : "NOT EXACTLY ONCE: see the table above.");
            return ok ? 0 : 1;
        }
    }

    private void fill() {
        long started = System.nanoTime();
        SampleData.fill(stream, records);
        System.out.printf(
                "Stream filled: %d partitions x %d records in %.1f s%n",
                partitions, records, (System.nanoTime() - started) / 1e9);
    }

    private void deliverWithFailures() {
        long expectedRounds = Math.max(1, ((long) records + batch - 1) / batch);
        List<Long> failAt = new ArrayList<>();
        for (int i = 1; i <= failures; i++) {
            failAt.add(expectedRounds * i / (failures + 1));
        }
        long started = System.nanoTime();
        long lastReport = started;
        long round = 0;
        int injected = 0;
        worker = newWorkerOwningEverything();
        while (true) {
            if (injected < failAt.size() && round >= failAt.get(injected)) {
                Fault fault = Fault.values()[injected % Fault.values().length];
                destination.arm(fault, () -> takeoverWorker = newWorkerOwningEverything());
                injected++;
            }
            try {
                if (!worker.pollOnce()) {
                    break;
                }
                round++;
            } catch (DeliveryException | FencedException e) {
                System.out.printf("  ! %s%n", e.getMessage());
                if (e.getCause() != null) {
                    System.out.printf("    cause: %s%n", e.getCause().getMessage());
                }
                if (takeoverWorker != null) {
                    System.out.println("    the old worker is fenced; the new worker goes on");
                    worker = takeoverWorker;
                    takeoverWorker = null;
                } else {
                    System.out.println("    a new worker takes over and re-sends what is pending");
                    worker = newWorkerOwningEverything();
                }
            }
            if (System.nanoTime() - lastReport > 1_000_000_000L) {
                lastReport = System.nanoTime();
                System.out.printf(
                        "  %5.1f s: %,d of %,d records delivered%n",
                        (lastReport - started) / 1e9,
                        total.elementsSent(),
                        (long) records * partitions);
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf(
                "Delivered in %.1f s (%,.0f records/s), %d failures injected.%n",
                seconds, total.elementsSent() / seconds, injected);
    }

    private PartitionPump<String> newWorkerOwningEverything() {
        PartitionPump<String> pump =
                new PartitionPump<>(stream, store, destination, SampleData.PROCESSOR, batch, total);
        workers++;
        for (String partition : stream.partitions()) {
            pump.assign(partition);
        }
        return pump;
    }
}
