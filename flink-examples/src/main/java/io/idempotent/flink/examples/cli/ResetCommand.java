package io.idempotent.flink.examples.cli;

import io.idempotent.flink.checkpoint.CheckpointTransition;
import io.idempotent.flink.checkpoint.PartitionCheckpoint;
import io.idempotent.flink.checkpoint.PartitionCheckpointStore;
import io.idempotent.flink.checkpoint.SinkScopedStore;
import io.idempotent.flink.stream.StreamPartition;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Resets one partition's checkpoint on purpose, printing what it discards: how an operator resolves
 * a stream that lost records or was created again, which the source refuses to read past silently.
 */
@Command(
        name = "reset",
        description =
                "Sets a partition's committed position (default: nothing committed) and drops its"
                        + " pending range, after taking the partition over (a job still running on"
                        + " it is fenced and stops). Prints what it discards. Start the job"
                        + " without its Flink state afterwards. For records removed (retention)"
                        + " without their numbers being reused; if the stream was created again"
                        + " or truncated, its numbers and so the batch identities repeat: give the"
                        + " sink a new name instead.")
final class ResetCommand implements Callable<Integer> {

    @Option(names = "--stream-name", required = true, description = "The stream's name.")
    String streamName;

    @Option(names = "--partition", required = true, description = "The partition.")
    String partition;

    @Option(
            names = "--sink",
            description =
                    "The name of the IdempotentSink whose checkpoint to reset; without it, the"
                            + " deliver command's and the demo's.")
    String sink;

    @Option(
            names = "--to",
            defaultValue = "-1",
            description =
                    "The new committed position: reading starts after it (default ${DEFAULT-VALUE}:"
                            + " nothing committed, from the partition's beginning).")
    long committed;

    @Mixin StoreOptions store;

    @Override
    public Integer call() {
        StreamPartition key = new StreamPartition(streamName, partition);
        PartitionCheckpointStore opened = store.open(false);
        try (PartitionCheckpointStore checkpoints =
                sink == null ? opened : SinkScopedStore.of(sink, opened)) {
            long epoch = checkpoints.acquire(key);
            PartitionCheckpoint before = checkpoints.load(key);
            checkpoints.apply(List.of(CheckpointTransition.reset(key, epoch, committed)));
            System.out.printf(
                    "Partition %s%s: discarded committed %s, pending %s.%nNow committed %s;"
                            + " reading starts at %d. Start the job without its Flink state (no"
                            + " savepoint) for this to hold.%n",
                    key,
                    sink == null ? "" : " of sink '" + sink + "'",
                    before.committed() == PartitionCheckpoint.NOTHING_COMMITTED
                            ? "nothing"
                            : Long.toString(before.committed()),
                    before.pending() == null ? "none" : before.pending(),
                    committed == PartitionCheckpoint.NOTHING_COMMITTED
                            ? "nothing"
                            : Long.toString(committed),
                    committed + 1);
        }
        return 0;
    }
}
