package io.idempotent.flink.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.idempotent.flink.checkpoint.PartitionCheckpoint;
import io.idempotent.flink.checkpoint.PartitionCheckpointStore;
import io.idempotent.flink.checkpoint.PendingCheckpoint;
import io.idempotent.flink.checkpoint.SinkScopedStore;
import io.idempotent.flink.stream.PartitionedStream;
import io.idempotent.flink.stream.StreamPartition;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "status",
        description =
                "Prints what the checkpoint store holds for a sink: every partition's committed"
                        + " sequence, owner epoch and pending range; with a stream (--stream, or"
                        + " --kafka-bootstrap-servers and --topic), also its end and how far"
                        + " behind delivery is. Read-only, also while a job runs.")
public final class StatusCommand implements Callable<Integer> {

    @Mixin StreamOptions stream;

    @Mixin StoreOptions store;

    @Option(
            names = "--sink",
            description =
                    "The name of the IdempotentSink whose checkpoints to show (a Flink job's);"
                            + " without it, those of sinks without a name (the deliver command,"
                            + " the demo).")
    String sink;

    @Option(names = "--json", description = "Print one JSON object, for scripts.")
    boolean json;

    /** One partition's checkpoint; {@code end} and {@code behind} if the stream was read. */
    record Row(
            String stream,
            String partition,
            Long end,
            Long committed,
            Long behind,
            long epoch,
            Pending pending) {}

    /** A pending range as scripts read it. */
    record Pending(long from, long to, String batchId, String location) {

        static Pending of(PendingCheckpoint pending) {
            return pending == null
                    ? null
                    : new Pending(
                            pending.range().from(),
                            pending.range().to(),
                            pending.batchId().value(),
                            pending.location());
        }
    }

    /** The whole answer: the stream's partitions first, then what else the store holds. */
    record Status(
            String store,
            String sink,
            String stream,
            List<Row> partitions,
            List<Row> otherStreams,
            List<String> sinks) {}

    @Override
    public Integer call() throws Exception {
        try (PartitionedStream source = stream.open();
                PartitionCheckpointStore opened = store.open(true)) {
            Status status = read(opened, source, sink, store.describe());
            if (json) {
                System.out.println(
                        new ObjectMapper()
                                .enable(SerializationFeature.INDENT_OUTPUT)
                                .writeValueAsString(status));
            } else {
                print(status, System.out);
            }
        }
        return 0;
    }

    /** What the demo prints: a stream and the checkpoints of sinks without a name. */
    public static void print(
            PartitionedStream source,
            PartitionCheckpointStore store,
            String where,
            PrintStream out) {
        print(read(store, source, null, where), out);
    }

    static Status read(
            PartitionCheckpointStore opened, PartitionedStream source, String sink, String where) {
        Map<StreamPartition, PartitionCheckpoint> all = opened.list();
        TreeSet<String> sinks = new TreeSet<>();
        all.keySet().stream()
                .map(StreamPartition::stream)
                .filter(name -> name.contains("/"))
                .forEach(name -> sinks.add(name.substring(0, name.indexOf('/'))));
        Map<StreamPartition, PartitionCheckpoint> held =
                sink == null ? unscoped(all) : SinkScopedStore.of(sink, all);
        List<Row> partitions = new ArrayList<>();
        List<Row> others = new ArrayList<>();
        String qualified = source == null ? null : source.qualifiedName();
        if (source != null) {
            List<String> names = source.partitions();
            Map<String, Long> ends = source.endSequences(names);
            for (String partition : names) {
                PartitionCheckpoint checkpoint =
                        held.getOrDefault(
                                new StreamPartition(qualified, partition),
                                PartitionCheckpoint.INITIAL);
                long end = ends.get(partition);
                partitions.add(
                        row(
                                qualified,
                                partition,
                                end,
                                Math.max(0, end - checkpoint.nextSequence()),
                                checkpoint));
            }
        }
        held.forEach(
                (key, checkpoint) -> {
                    if (!key.stream().equals(qualified)) {
                        others.add(row(key.stream(), key.partition(), null, null, checkpoint));
                    }
                });
        return new Status(where, sink, qualified, partitions, others, List.copyOf(sinks));
    }

    /** The checkpoints of sinks without a name: keys whose stream has no sink prefix. */
    private static Map<StreamPartition, PartitionCheckpoint> unscoped(
            Map<StreamPartition, PartitionCheckpoint> all) {
        Map<StreamPartition, PartitionCheckpoint> plain = new LinkedHashMap<>();
        all.forEach(
                (key, checkpoint) -> {
                    if (!key.stream().contains("/")) {
                        plain.put(key, checkpoint);
                    }
                });
        return plain;
    }

    private static Row row(
            String stream,
            String partition,
            Long end,
            Long behind,
            PartitionCheckpoint checkpoint) {
        return new Row(
                stream,
                partition,
                end,
                checkpoint.committed() == PartitionCheckpoint.NOTHING_COMMITTED
                        ? null
                        : checkpoint.committed(),
                behind,
                checkpoint.epoch(),
                Pending.of(checkpoint.pending()));
    }

    static void print(Status status, PrintStream out) {
        out.printf(
                "%s, %s%n",
                status.store(),
                status.sink() == null ? "sinks without a name" : "sink '" + status.sink() + "'");
        if (status.stream() != null) {
            out.printf("Stream '%s'%n", status.stream());
            out.printf(
                    "%-10s %12s %12s %12s %6s  %s%n",
                    "partition", "end", "committed", "behind", "epoch", "pending");
            for (Row row : status.partitions()) {
                out.printf(
                        "%-10s %12d %12s %12d %6d  %s%n",
                        row.partition(),
                        row.end(),
                        row.committed() == null ? "-" : row.committed().toString(),
                        row.behind(),
                        row.epoch(),
                        pending(row));
            }
        }
        if (!status.otherStreams().isEmpty()) {
            out.println(
                    status.stream() == null
                            ? "Checkpoints held:"
                            : "Checkpoints held of other streams (another incarnation of a"
                                    + " stream carries another '@…'):");
            out.printf(
                    "%-30s %-10s %12s %6s  %s%n",
                    "stream", "partition", "committed", "epoch", "pending");
            for (Row row : status.otherStreams()) {
                out.printf(
                        "%-30s %-10s %12s %6d  %s%n",
                        row.stream(),
                        row.partition(),
                        row.committed() == null ? "-" : row.committed().toString(),
                        row.epoch(),
                        pending(row));
            }
        } else if (status.stream() == null) {
            out.println("No checkpoints held.");
        }
        if (!status.sinks().isEmpty()) {
            out.println(
                    "Sinks with checkpoints in this store: " + String.join(", ", status.sinks()));
        }
    }

    private static String pending(Row row) {
        Pending pending = row.pending();
        return pending == null
                ? "-"
                : String.format("[%d, %d] as %s", pending.from(), pending.to(), pending.batchId())
                        + (pending.location() == null ? "" : " at " + pending.location());
    }
}
