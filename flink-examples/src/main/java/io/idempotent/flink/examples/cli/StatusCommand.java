package io.idempotent.flink.examples.cli;

import io.idempotent.flink.checkpoint.PartitionCheckpoint;
import io.idempotent.flink.checkpoint.PartitionCheckpointStore;
import io.idempotent.flink.checkpoint.SinkScopedStore;
import io.idempotent.flink.stream.StreamPartition;
import io.idempotent.flink.stream.local.LocalStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "status",
        description =
                "Prints every partition: its end, committed sequence, pending checkpoint and how"
                        + " far behind delivery is. Opens both read-only, also while a job runs.")
final class StatusCommand implements Callable<Integer> {

    @Option(names = "--stream", required = true, description = "The stream's directory.")
    Path stream;

    @Mixin StoreOptions store;

    @Option(
            names = "--sink",
            description =
                    "The name of the IdempotentSink whose checkpoints to show (a Flink job's);"
                            + " without it, those of the deliver command and the demo.")
    String sink;

    @Override
    public Integer call() {
        try (LocalStream source = LocalStream.openReadOnly(stream);
                PartitionCheckpointStore checkpoints =
                        sink == null
                                ? store.open(true)
                                : SinkScopedStore.of(sink, store.open(true))) {
            print(source, checkpoints, System.out);
        }
        return 0;
    }

    static void print(LocalStream source, PartitionCheckpointStore checkpoints, PrintStream out) {
        out.printf("Stream '%s' at %s%n", source.qualifiedName(), source.directory());
        out.printf(
                "%-10s %12s %12s %12s %6s  %s%n",
                "partition", "end", "committed", "behind", "epoch", "pending");
        for (String partition : source.partitions()) {
            PartitionCheckpoint checkpoint =
                    checkpoints.load(new StreamPartition(source.qualifiedName(), partition));
            long end = source.endSequence(partition);
            out.printf(
                    "%-10s %12d %12s %12d %6d  %s%n",
                    partition,
                    end,
                    checkpoint.committed() == PartitionCheckpoint.NOTHING_COMMITTED
                            ? "-"
                            : Long.toString(checkpoint.committed()),
                    Math.max(0, end - checkpoint.nextSequence()),
                    checkpoint.epoch(),
                    checkpoint.pending() == null ? "-" : checkpoint.pending().toString());
        }
    }
}
