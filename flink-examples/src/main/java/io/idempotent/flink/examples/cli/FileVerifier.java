package io.idempotent.flink.examples.cli;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.stream.PartitionRecord;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import io.idempotent.flink.stream.local.LocalStream;
import io.idempotent.flink.testutils.ExactlyOnceVerifier;
import io.idempotent.flink.testutils.OriginLine;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads what the file destination really holds and compares it with the stream: per partition,
 * records lost, duplicated and out of order, counted by the tests' {@link ExactlyOnceVerifier}.
 * Knows nothing of checkpoints or identities; it only reads batch files in sequence order and the
 * origin at the start of each line ({@link OriginLine}).
 */
final class FileVerifier {

    /** Counts for one partition, or the total. */
    record Row(
            String partition,
            long in,
            long delivered,
            long lost,
            long duplicated,
            long outOfOrder) {
        Row plus(Row other) {
            return new Row(
                    "total",
                    in + other.in,
                    delivered + other.delivered,
                    lost + other.lost,
                    duplicated + other.duplicated,
                    outOfOrder + other.outOfOrder);
        }
    }

    private FileVerifier() {}

    static List<Row> verify(LocalStream stream, Path out) throws IOException {
        List<Row> rows = new ArrayList<>();
        for (String partition : stream.partitions()) {
            rows.add(verifyPartition(stream, out, partition));
        }
        return rows;
    }

    private static Row verifyPartition(LocalStream stream, Path out, String partition)
            throws IOException {
        long end = stream.endSequence(partition);
        List<Long> expected = new ArrayList<>();
        for (long next = 0; next < end; ) {
            List<PartitionRecord> records = stream.readFrom(partition, next, 10_000);
            for (PartitionRecord record : records) {
                expected.add(record.sequence());
            }
            next = records.get(records.size() - 1).sequence() + 1;
        }
        List<ExactlyOnceVerifier.Origin> delivered = new ArrayList<>();
        // The directory of the partition's batches: their identity without the range.
        BatchId any =
                BatchId.of(
                        new StreamPartition(stream.qualifiedName(), partition),
                        SequenceRange.of(0, 0));
        for (Path file : batchFiles(out.resolve(any.value()).getParent())) {
            for (String line : Files.readAllLines(file)) {
                ExactlyOnceVerifier.Origin origin = OriginLine.parse(line);
                if (!origin.partition().equals(partition)) {
                    throw new IOException(
                            file + " holds a record of partition " + origin.partition());
                }
                delivered.add(origin);
            }
        }
        ExactlyOnceVerifier.Result result =
                ExactlyOnceVerifier.verify(Map.of(partition, expected), delivered);
        return new Row(
                partition,
                result.expected(),
                result.delivered(),
                result.lost(),
                result.duplicated(),
                result.outOfOrder());
    }

    /** Batch files of a partition, ordered by the first sequence number in their name. */
    private static List<Path> batchFiles(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".batch"))
                    .sorted(Comparator.comparingLong(FileVerifier::firstSequence))
                    .toList();
        }
    }

    private static long firstSequence(Path file) {
        String name = file.getFileName().toString();
        return Long.parseLong(name.substring(0, name.indexOf('-')));
    }

    static void print(List<Row> rows, PrintStream out) {
        out.printf(
                "%-10s %12s %12s %8s %11s %13s%n",
                "partition", "records in", "delivered", "lost", "duplicated", "out of order");
        Row total = new Row("total", 0, 0, 0, 0, 0);
        for (Row row : rows) {
            printRow(row, out);
            total = total.plus(row);
        }
        printRow(total, out);
    }

    static boolean exactlyOnce(List<Row> rows) {
        return rows.stream()
                .allMatch(
                        r ->
                                r.lost() == 0
                                        && r.duplicated() == 0
                                        && r.outOfOrder() == 0
                                        && r.delivered() == r.in());
    }

    private static void printRow(Row row, PrintStream out) {
        out.printf(
                "%-10s %12d %12d %8d %11d %13d%n",
                row.partition(),
                row.in(),
                row.delivered(),
                row.lost(),
                row.duplicated(),
                row.outOfOrder());
    }
}
