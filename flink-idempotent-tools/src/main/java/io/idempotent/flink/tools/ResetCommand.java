package io.idempotent.flink.tools;

import io.idempotent.flink.checkpoint.CheckpointTransition;
import io.idempotent.flink.checkpoint.PartitionCheckpoint;
import io.idempotent.flink.checkpoint.PartitionCheckpointStore;
import io.idempotent.flink.checkpoint.SinkScopedStore;
import io.idempotent.flink.stream.PartitionedStream;
import io.idempotent.flink.stream.StreamPartition;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Resets one partition's checkpoint on purpose: how an operator resolves a stream that lost
 * records, which the source refuses to read past silently. Prints exactly what it would change and
 * changes it only with {@code --yes}.
 */
@Command(
        name = "reset",
        description =
                "Sets a partition's committed position and drops its pending range. Without --yes"
                        + " it only prints what it would change. With --yes it takes the partition"
                        + " over first (a job still running on it is fenced and stops) and prints"
                        + " what it discarded; start the job without its Flink state afterwards."
                        + " For records removed (retention) without their numbers being reused;"
                        + " if the stream was created again or truncated, its numbers and so the"
                        + " batch identities repeat: give the sink a new name instead.")
final class ResetCommand implements Callable<Integer> {

    @Mixin StreamOptions stream;

    @Option(
            names = "--stream-name",
            description =
                    "The stream's name as the store keeps it (for a Kafka topic '<topic>@<topic"
                            + " id>', as status prints it); or name the stream with --stream or"
                            + " --kafka-bootstrap-servers and --topic, and the tool finds it.")
    String streamName;

    @Option(names = "--partition", required = true, description = "The partition.")
    String partition;

    @Option(
            names = "--sink",
            description =
                    "The name of the IdempotentSink whose checkpoint to reset; without it, that of"
                            + " sinks without a name (the deliver command, the demo).")
    String sink;

    @Option(
            names = "--to",
            required = true,
            description =
                    "The new committed position: reading starts after it; -1 for nothing"
                            + " committed (from the partition's beginning).")
    long committed;

    @Option(names = "--yes", description = "Apply the change; without it, a dry run.")
    boolean yes;

    @Mixin StoreOptions store;

    @Override
    public Integer call() throws Exception {
        if (committed < PartitionCheckpoint.NOTHING_COMMITTED) {
            throw new IllegalArgumentException(
                    "--to must be -1 (nothing committed) or a sequence number, not " + committed);
        }
        StreamPartition key = new StreamPartition(qualifiedName(), partition);
        String owner = sink == null ? "" : " of sink '" + sink + "'";
        try (PartitionCheckpointStore opened = store.open(!yes)) {
            PartitionCheckpointStore checkpoints =
                    sink == null ? opened : SinkScopedStore.of(sink, opened);
            Map<StreamPartition, PartitionCheckpoint> held = checkpoints.list();
            if (!held.containsKey(key)) {
                throw new IllegalArgumentException(
                        String.format(
                                "The %s holds no checkpoint of %s%s; nothing was changed. It"
                                        + " holds: %s.",
                                store.describe(),
                                key,
                                owner,
                                held.isEmpty()
                                        ? "none"
                                        : held.keySet().stream()
                                                .map(StreamPartition::toString)
                                                .limit(50)
                                                .collect(Collectors.joining(", "))));
            }
            if (!yes) {
                PartitionCheckpoint now = held.get(key);
                System.out.printf(
                        "Would reset partition %s%s: committed %s -> %s, pending %s dropped,"
                                + " epoch %d -> %d (a job running on the partition loses it and"
                                + " stops). Reading would start at %d.%nDry run: nothing"
                                + " changed. Run again with --yes to apply.%n",
                        key,
                        owner,
                        committed(now.committed()),
                        committed(committed),
                        pending(now),
                        now.epoch(),
                        now.epoch() + 1,
                        committed + 1);
                return 0;
            }
            long epoch = checkpoints.acquire(key);
            PartitionCheckpoint before = checkpoints.load(key);
            checkpoints.apply(List.of(CheckpointTransition.reset(key, epoch, committed)));
            System.out.printf(
                    "Reset partition %s%s: discarded committed %s, pending %s.%nNow committed %s,"
                            + " epoch %d; reading starts at %d. Start the job without its Flink"
                            + " state (no savepoint) for this to hold.%n",
                    key,
                    owner,
                    committed(before.committed()),
                    pending(before),
                    committed(committed),
                    epoch,
                    committed + 1);
        }
        return 0;
    }

    /** The stream's name as the store keeps it: resolved from the stream if one is named. */
    private String qualifiedName() throws Exception {
        if (!stream.named()) {
            if (streamName == null) {
                throw new IllegalArgumentException(
                        "Name the stream: --stream DIR, --kafka-bootstrap-servers and --topic, or"
                                + " --stream-name as the store keeps it.");
            }
            return streamName;
        }
        try (PartitionedStream source = stream.open()) {
            String qualified = source.qualifiedName();
            if (streamName != null && !streamName.equals(qualified)) {
                throw new IllegalArgumentException(
                        String.format(
                                "--stream-name '%s' is not the named stream, which the store"
                                        + " knows as '%s'.",
                                streamName, qualified));
            }
            long end = source.endSequence(partition);
            if (committed >= end) {
                throw new IllegalArgumentException(
                        String.format(
                                "--to %d is past the end of %s/%s (its last record is %d):"
                                        + " records written later would be skipped. Nothing was"
                                        + " changed.",
                                committed, qualified, partition, end - 1));
            }
            return qualified;
        }
    }

    private static String committed(long sequence) {
        return sequence == PartitionCheckpoint.NOTHING_COMMITTED
                ? "nothing"
                : Long.toString(sequence);
    }

    private static String pending(PartitionCheckpoint checkpoint) {
        return checkpoint.pending() == null ? "none" : checkpoint.pending().toString();
    }
}
