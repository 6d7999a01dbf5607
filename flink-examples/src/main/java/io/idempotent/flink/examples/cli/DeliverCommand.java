package io.idempotent.flink.examples.cli;

import io.idempotent.flink.checkpoint.PartitionCheckpointStore;
import io.idempotent.flink.destination.file.FileDestination;
import io.idempotent.flink.protocol.DeliveryCounts;
import io.idempotent.flink.protocol.PartitionPump;
import io.idempotent.flink.stream.local.LocalStream;
import io.idempotent.flink.tools.SampleData;
import io.idempotent.flink.tools.StoreOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "deliver",
        description =
                "Takes over every partition (re-sending what is pending first) and delivers"
                        + " everything up to the stream's end into a file destination.")
final class DeliverCommand implements Callable<Integer> {

    @Option(names = "--stream", required = true, description = "The stream's directory.")
    Path stream;

    @Mixin StoreOptions store;

    @Option(names = "--out", required = true, description = "The file destination's directory.")
    Path out;

    @Option(names = "--batch", defaultValue = "1000", description = "Records per batch at most.")
    int batch;

    @Override
    public Integer call() throws Exception {
        try (LocalStream source = LocalStream.open(stream);
                PartitionCheckpointStore checkpoints = store.open(false)) {
            DeliveryCounts report = new DeliveryCounts();
            PartitionPump<String> pump =
                    new PartitionPump<>(
                            source,
                            checkpoints,
                            FileDestination.create(out, s -> s.getBytes(StandardCharsets.UTF_8)),
                            SampleData.PROCESSOR,
                            batch,
                            report);
            for (String partition : source.partitions()) {
                pump.assign(partition);
            }
            pump.drain();
            System.out.printf(
                    "Delivered %d elements in %d batches (%d re-sent, %d repeats dropped).%n",
                    report.elementsSent(),
                    report.batchesSent(),
                    report.replayed(),
                    report.repeatsDropped());
        }
        return 0;
    }
}
