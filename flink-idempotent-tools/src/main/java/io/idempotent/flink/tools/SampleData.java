package io.idempotent.flink.tools;

import io.idempotent.flink.protocol.RecordProcessor;
import io.idempotent.flink.stream.PartitionRecord;
import io.idempotent.flink.stream.local.LocalStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The demo's records and its processing: deterministic, as the protocol requires. */
/**
 * Generated sample records, as {@code append --generate} writes them, and the examples' processing
 * of them.
 */
public final class SampleData {

    private SampleData() {}

    /** Appends {@code records} sample records to every partition, in large synced chunks. */
    public static void fill(LocalStream stream, long records) {
        for (String partition : stream.partitions()) {
            List<LocalStream.NewRecord> chunk = new ArrayList<>();
            for (long n = 0; n < records; n++) {
                chunk.add(
                        LocalStream.NewRecord.of(
                                payload(partition, n).getBytes(StandardCharsets.UTF_8),
                                System.currentTimeMillis()));
                if (chunk.size() == 10_000 || n == records - 1) {
                    stream.appendAll(partition, chunk);
                    chunk.clear();
                }
            }
        }
    }

    public static String payload(String partition, long n) {
        return String.format(
                Locale.ROOT,
                "{\"order\":\"%s-%d\",\"amount\":%d.%02d,\"item\":\"item-%d\"}",
                partition,
                n,
                (n * 37) % 1000,
                n % 100,
                n % 17);
    }

    /**
     * Tags each record with its origin and upper-cases the payload: {@code "<partition>:<sequence>
     * <PAYLOAD>"}. The verifier reads the origin back from what the destination holds.
     */
    public static final RecordProcessor<String> PROCESSOR =
            (record, out) -> out.accept(line(record));

    public static String line(PartitionRecord record) {
        return record.partition()
                + ":"
                + record.sequence()
                + " "
                + new String(record.payload(), StandardCharsets.UTF_8).toUpperCase(Locale.ROOT);
    }
}
