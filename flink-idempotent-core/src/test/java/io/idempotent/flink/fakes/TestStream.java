package io.idempotent.flink.fakes;

import io.idempotent.flink.stream.PartitionRecord;
import io.idempotent.flink.stream.PartitionedStream;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.testutils.OriginLine;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An in-memory stream whose sequence numbers have gaps, as a compacted Kafka topic's offsets do.
 * Each payload is {@code "<partition>:<sequence>"}.
 */
public final class TestStream implements PartitionedStream {

    private final String name;
    private final Map<String, List<PartitionRecord>> partitions = new LinkedHashMap<>();

    private volatile String incarnation = "";

    public TestStream(String name) {
        this.name = name;
    }

    /** As if the stream were deleted and created again: another incarnation. */
    public void setIncarnation(String incarnation) {
        this.incarnation = incarnation;
    }

    @Override
    public String incarnation() {
        return incarnation;
    }

    /** Appends a record {@code gap} sequence numbers after the partition's last one. */
    public synchronized PartitionRecord append(String partition, int gap) {
        List<PartitionRecord> records =
                partitions.computeIfAbsent(partition, p -> new ArrayList<>());
        long sequence =
                records.isEmpty() ? gap - 1 : records.get(records.size() - 1).sequence() + gap;
        PartitionRecord record =
                new PartitionRecord(
                        partition,
                        sequence,
                        null,
                        OriginLine.of(partition, sequence).getBytes(StandardCharsets.UTF_8),
                        sequence);
        records.add(record);
        return record;
    }

    public synchronized void addPartition(String partition) {
        partitions.computeIfAbsent(partition, p -> new ArrayList<>());
    }

    public synchronized List<PartitionRecord> records(String partition) {
        return List.copyOf(partitions.getOrDefault(partition, List.of()));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public synchronized List<String> partitions() {
        return List.copyOf(partitions.keySet());
    }

    @Override
    public synchronized List<PartitionRecord> readFrom(
            String partition, long fromSequence, int maxRecords) {
        List<PartitionRecord> result = new ArrayList<>();
        for (PartitionRecord record : records(partition)) {
            if (record.sequence() >= fromSequence && result.size() < maxRecords) {
                result.add(record);
            }
        }
        return result;
    }

    @Override
    public synchronized List<PartitionRecord> readRange(String partition, SequenceRange range) {
        List<PartitionRecord> result = new ArrayList<>();
        for (PartitionRecord record : records(partition)) {
            if (range.contains(record.sequence())) {
                result.add(record);
            }
        }
        return result;
    }

    @Override
    public synchronized long endSequence(String partition) {
        List<PartitionRecord> records = records(partition);
        return records.isEmpty() ? 0 : records.get(records.size() - 1).sequence() + 1;
    }

    @Override
    public void close() {}
}
