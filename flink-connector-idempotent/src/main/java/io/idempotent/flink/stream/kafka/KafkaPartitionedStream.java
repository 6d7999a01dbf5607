package io.idempotent.flink.stream.kafka;

import io.idempotent.flink.stream.PartitionRecord;
import io.idempotent.flink.stream.PartitionedStream;
import io.idempotent.flink.stream.PartitionedStreamFactory;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A Kafka topic as a partitioned stream: topic partitions are partitions (named by number), offsets
 * are sequence numbers. Offsets may have gaps — compaction, transaction markers — which the
 * protocol allows.
 *
 * <p>Reads with {@code isolation.level=read_committed}: a replayed range must give the same records
 * as the first read, which aborted transactional records would not. Tombstones (null values) arrive
 * as empty payloads. One consumer per instance, assigned (no group), guarded by this object's lock.
 *
 * <pre>{@code
 * PartitionedStreamFactory orders =
 *         KafkaPartitionedStream.factory("broker:9092", "orders", new Properties());
 * }</pre>
 */
@PublicEvolving
public final class KafkaPartitionedStream implements PartitionedStream {

    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    private final String topic;
    private final Properties properties;
    private final KafkaConsumer<byte[], byte[]> consumer;

    /** The topic's id, looked up once: an admin request. */
    @Nullable private String topicId;

    /** Records fetched beyond what a forward read returned, kept for the next forward read. */
    private final Map<TopicPartition, Buffer> buffers = new HashMap<>();

    private KafkaPartitionedStream(String topic, Properties properties) {
        this.topic = topic;
        this.properties = properties;
        this.consumer = new KafkaConsumer<>(properties);
    }

    /**
     * A factory for the topic on {@code bootstrapServers}; {@code properties} may add consumer
     * settings (security, timeouts) but not change the isolation level.
     */
    public static PartitionedStreamFactory factory(
            String bootstrapServers, String topic, Properties properties) {
        if (bootstrapServers == null
                || bootstrapServers.isBlank()
                || topic == null
                || topic.isBlank()) {
            throw new IllegalArgumentException(
                    "A Kafka stream needs bootstrap servers and a topic, but got '"
                            + bootstrapServers
                            + "' and '"
                            + topic
                            + "'.");
        }
        Object isolation = properties.get(ConsumerConfig.ISOLATION_LEVEL_CONFIG);
        if (isolation != null && !"read_committed".equals(isolation)) {
            throw new IllegalArgumentException(
                    "A Kafka stream reads with isolation.level=read_committed, so that a replayed"
                            + " range gives the same records; remove isolation.level="
                            + isolation
                            + ".");
        }
        Properties config = new Properties();
        config.putAll(properties);
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // Never skip silently: a position outside the log fails the read (see readFrom).
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        // A reader waits for new records itself; the broker need not hold fetches for long.
        config.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "50");
        // One poll serves every partition of a reader (readFromAll): let it return a round's worth.
        config.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
        config.put(
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        config.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        return () -> new KafkaPartitionedStream(topic, config);
    }

    @Override
    public String name() {
        return topic;
    }

    @Override
    public synchronized List<String> partitions() {
        List<PartitionInfo> infos;
        try {
            infos = consumer.partitionsFor(topic);
        } catch (KafkaException e) {
            throw new StreamException("Cannot list the partitions of Kafka topic " + topic, e);
        }
        if (infos == null || infos.isEmpty()) {
            throw new StreamException(
                    "Kafka topic " + topic + " does not exist or has no partitions.");
        }
        List<String> names = new ArrayList<>();
        infos.stream()
                .sorted(Comparator.comparingInt(PartitionInfo::partition))
                .forEach(info -> names.add(Integer.toString(info.partition())));
        return names;
    }

    @Override
    public synchronized List<PartitionRecord> readFrom(
            String partition, long fromSequence, int maxRecords) {
        TopicPartition tp = topicPartition(partition);
        try {
            Buffer buffer = buffers.computeIfAbsent(tp, t -> new Buffer());
            if (buffer.validFrom != fromSequence) {
                buffer.records.clear();
                requireReadable(tp, partition, fromSequence);
                position(tp, fromSequence);
            } else {
                position(
                        tp,
                        consumer.assignment().contains(tp) ? consumer.position(tp) : fromSequence);
            }
            if (buffer.records.isEmpty() && consumer.position(tp) >= buffer.knownEnd) {
                // Only ask the broker for the end when what was known is used up.
                buffer.knownEnd = consumer.endOffsets(List.of(tp)).get(tp);
            }
            long end = buffer.knownEnd;
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (buffer.records.isEmpty() && consumer.position(tp) < end) {
                if (System.nanoTime() > deadline) {
                    throw new StreamException(
                            String.format(
                                    "Kafka topic %s, partition %s: no records from offset %d"
                                            + " within %s although the partition ends at %d; the"
                                            + " broker may be unreachable.",
                                    topic, partition, fromSequence, READ_TIMEOUT, end));
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL).records(tp)) {
                    if (record.offset() >= fromSequence) {
                        buffer.records.add(record);
                    }
                }
            }
            List<PartitionRecord> records = new ArrayList<>();
            while (!buffer.records.isEmpty() && records.size() < maxRecords) {
                records.add(toRecord(partition, buffer.records.poll()));
            }
            buffer.validFrom =
                    records.isEmpty()
                            ? fromSequence
                            : records.get(records.size() - 1).sequence() + 1;
            return records;
        } catch (KafkaException e) {
            buffers.remove(tp);
            throw failure(partition, fromSequence, e);
        }
    }

    /**
     * Polls every partition asked for together: the consumer is assigned all of them, positioned
     * where a caller's position is not where the partition's buffer continues, and one poll fills
     * the buffers. A partition whose position is at its end (the end is asked only when what was
     * known is used up) answers empty; one whose records did not arrive in this poll is left out.
     */
    @Override
    public synchronized Map<String, List<PartitionRecord>> readFromAll(
            Map<String, Long> positions, int maxRecords, int maxInAll) {
        Map<TopicPartition, String> asked = new LinkedHashMap<>();
        for (String partition : positions.keySet()) {
            asked.put(topicPartition(partition), partition);
        }
        try {
            Set<TopicPartition> assigned = consumer.assignment();
            if (!assigned.containsAll(asked.keySet())) {
                Set<TopicPartition> all = new HashSet<>(assigned);
                all.addAll(asked.keySet());
                consumer.assign(all);
                assigned = all;
            }
            Map<TopicPartition, Long> moved = new LinkedHashMap<>();
            for (Map.Entry<TopicPartition, String> entry : asked.entrySet()) {
                Buffer buffer = buffers.computeIfAbsent(entry.getKey(), t -> new Buffer());
                long from = positions.get(entry.getValue());
                if (buffer.validFrom != from) {
                    buffer.records.clear();
                    buffer.validFrom = from;
                    moved.put(entry.getKey(), from);
                }
            }
            if (!moved.isEmpty()) {
                Map<TopicPartition, Long> ends = requireReadable(moved);
                for (Map.Entry<TopicPartition, Long> entry : moved.entrySet()) {
                    consumer.seek(entry.getKey(), entry.getValue());
                    buffers.get(entry.getKey()).knownEnd = ends.get(entry.getKey());
                }
            }
            // Only these partitions: the others keep their positions but are not fetched now.
            List<TopicPartition> others = new ArrayList<>();
            for (TopicPartition tp : assigned) {
                if (!asked.containsKey(tp)) {
                    others.add(tp);
                }
            }
            consumer.pause(others);
            consumer.resume(asked.keySet());
            List<TopicPartition> usedUp = new ArrayList<>();
            for (TopicPartition tp : asked.keySet()) {
                Buffer buffer = buffers.get(tp);
                if (buffer.records.isEmpty() && consumer.position(tp) >= buffer.knownEnd) {
                    usedUp.add(tp);
                }
            }
            if (!usedUp.isEmpty()) {
                consumer.endOffsets(usedUp).forEach((tp, end) -> buffers.get(tp).knownEnd = end);
            }
            boolean behind = false;
            for (TopicPartition tp : asked.keySet()) {
                Buffer buffer = buffers.get(tp);
                behind |= buffer.records.isEmpty() && consumer.position(tp) < buffer.knownEnd;
            }
            if (behind) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    Buffer buffer =
                            buffers.get(new TopicPartition(record.topic(), record.partition()));
                    if (buffer != null && record.offset() >= buffer.validFrom) {
                        buffer.records.add(record);
                    }
                }
            }
            Map<String, List<PartitionRecord>> read = new LinkedHashMap<>();
            int inAll = 0;
            for (Map.Entry<TopicPartition, String> entry : asked.entrySet()) {
                if (inAll >= maxInAll) {
                    break; // the rest stay buffered for the next call
                }
                Buffer buffer = buffers.get(entry.getKey());
                if (!buffer.records.isEmpty()) {
                    List<PartitionRecord> records = new ArrayList<>();
                    while (!buffer.records.isEmpty() && records.size() < maxRecords) {
                        records.add(toRecord(entry.getValue(), buffer.records.poll()));
                    }
                    buffer.validFrom = records.get(records.size() - 1).sequence() + 1;
                    read.put(entry.getValue(), records);
                    inAll += records.size();
                } else if (consumer.position(entry.getKey()) >= buffer.knownEnd) {
                    read.put(entry.getValue(), List.of());
                }
            }
            return read;
        } catch (KafkaException e) {
            buffers.clear();
            throw failure(asked.size() + " partitions", -1, e);
        }
    }

    @Override
    public synchronized List<PartitionRecord> readRange(String partition, SequenceRange range) {
        TopicPartition tp = topicPartition(partition);
        buffers.remove(tp); // the consumer's position moves: forward reads seek again
        List<PartitionRecord> records = new ArrayList<>();
        long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        try {
            long end = endSequence(partition);
            position(tp, range.from());
            while (consumer.position(tp) <= range.to() && consumer.position(tp) < end) {
                if (System.nanoTime() > deadline) {
                    throw new StreamException(
                            String.format(
                                    "Reading range %s of Kafka topic %s, partition %s, took longer"
                                            + " than %s; the broker may be unreachable.",
                                    range, topic, partition, READ_TIMEOUT));
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL).records(tp)) {
                    if (range.contains(record.offset())) {
                        records.add(toRecord(partition, record));
                    }
                }
            }
        } catch (KafkaException e) {
            throw failure(partition, range.from(), e);
        }
        return records;
    }

    @Override
    public synchronized long endSequence(String partition) {
        TopicPartition tp = topicPartition(partition);
        try {
            Map<TopicPartition, Long> ends = consumer.endOffsets(List.of(tp));
            return ends.get(tp);
        } catch (KafkaException e) {
            throw failure(partition, -1, e);
        }
    }

    @Override
    public synchronized Map<String, Long> endSequences(Collection<String> partitions) {
        try {
            return byPartition(partitions, consumer.endOffsets(topicPartitions(partitions)));
        } catch (KafkaException e) {
            throw failure(partitions.size() + " partitions", -1, e);
        }
    }

    @Override
    public synchronized Map<String, Long> startSequences(Collection<String> partitions) {
        try {
            return byPartition(partitions, consumer.beginningOffsets(topicPartitions(partitions)));
        } catch (KafkaException e) {
            throw failure(partitions.size() + " partitions", -1, e);
        }
    }

    private List<TopicPartition> topicPartitions(Collection<String> partitions) {
        List<TopicPartition> tps = new ArrayList<>(partitions.size());
        for (String partition : partitions) {
            tps.add(topicPartition(partition));
        }
        return tps;
    }

    private Map<String, Long> byPartition(
            Collection<String> partitions, Map<TopicPartition, Long> offsets) {
        Map<String, Long> byPartition = new LinkedHashMap<>();
        for (String partition : partitions) {
            byPartition.put(partition, offsets.get(topicPartition(partition)));
        }
        return byPartition;
    }

    /** The topic's id: another id after the topic was deleted and created again. */
    @Override
    public synchronized String incarnation() {
        if (topicId == null) {
            Properties adminConfig = new Properties();
            adminConfig.putAll(properties);
            for (String consumerOnly :
                    List.of(
                            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                            ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG)) {
                adminConfig.remove(consumerOnly);
            }
            try (Admin admin = Admin.create(adminConfig)) {
                topicId =
                        admin.describeTopics(List.of(topic))
                                .topicNameValues()
                                .get(topic)
                                .get(READ_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                                .topicId()
                                .toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StreamException("Interrupted while describing Kafka topic " + topic, e);
            } catch (ExecutionException | TimeoutException | KafkaException e) {
                throw new StreamException(
                        "Cannot describe Kafka topic " + topic + " (its id): " + e.getMessage(), e);
            }
        }
        return topicId;
    }

    @Override
    public synchronized long startSequence(String partition) {
        TopicPartition tp = topicPartition(partition);
        try {
            return consumer.beginningOffsets(List.of(tp)).get(tp);
        } catch (KafkaException e) {
            throw failure(partition, -1, e);
        }
    }

    /**
     * A read may start anywhere from the log's start to its end. Before the start, records that
     * were never read are gone; beyond the end, the log was truncated or the topic created again.
     * Either way records would be skipped or numbers reused, so the read fails saying so.
     */
    private Map<TopicPartition, Long> requireReadable(Map<TopicPartition, Long> positions) {
        Map<TopicPartition, Long> starts = consumer.beginningOffsets(positions.keySet());
        Map<TopicPartition, Long> ends = consumer.endOffsets(positions.keySet());
        positions.forEach(
                (tp, from) ->
                        requireReadable(
                                Integer.toString(tp.partition()),
                                from,
                                starts.get(tp),
                                ends.get(tp)));
        return ends;
    }

    private void requireReadable(TopicPartition tp, String partition, long fromSequence) {
        requireReadable(
                partition,
                fromSequence,
                consumer.beginningOffsets(List.of(tp)).get(tp),
                consumer.endOffsets(List.of(tp)).get(tp));
    }

    private void requireReadable(String partition, long fromSequence, long start, long end) {
        if (fromSequence < start) {
            throw new StreamException(
                    String.format(
                            "Kafka topic %s, partition %s: offsets %d to %d were removed"
                                    + " (retention, or the topic was deleted and created again)"
                                    + " before this job read them, so they were never delivered."
                                    + " Nothing is skipped silently: restore the records, or"
                                    + " accept the loss on purpose: reset the partition's"
                                    + " checkpoint past them (the command-line tool's reset --to"
                                    + " %d) and start the job without its Flink state.",
                            topic, partition, fromSequence, start - 1, start - 1));
        }
        if (fromSequence > end) {
            throw new StreamException(
                    String.format(
                            "Kafka topic %s, partition %s: the job's position %d lies beyond the"
                                    + " partition's end %d. The log was truncated (an unclean"
                                    + " leader election) or the topic was deleted and created"
                                    + " again; new records would reuse offsets, and batch"
                                    + " identities, that were delivered or committed. To start"
                                    + " afresh, give the sink a new name (or a new destination)"
                                    + " and start the job without its Flink state.",
                            topic, partition, fromSequence, end));
        }
    }

    @Override
    public synchronized void close() {
        consumer.close(Duration.ofSeconds(5));
    }

    /** Assigns and seeks only when the consumer is not already there. */
    private void position(TopicPartition tp, long offset) {
        if (!consumer.assignment().contains(tp)) {
            List<TopicPartition> assigned = new ArrayList<>(consumer.assignment());
            assigned.add(tp);
            consumer.assign(assigned);
            consumer.seek(tp, offset);
        } else if (consumer.position(tp) != offset) {
            consumer.seek(tp, offset);
        }
        // Only this partition: the others keep their positions but are not fetched now.
        List<TopicPartition> others = new ArrayList<>(consumer.assignment());
        others.remove(tp);
        consumer.pause(others);
        consumer.resume(List.of(tp));
    }

    private static final class Buffer {
        final ArrayDeque<ConsumerRecord<byte[], byte[]>> records = new ArrayDeque<>();
        long validFrom = -1;
        long knownEnd = -1;
    }

    private TopicPartition topicPartition(String partition) {
        try {
            return new TopicPartition(topic, Integer.parseInt(partition));
        } catch (NumberFormatException e) {
            throw new StreamException(
                    "Kafka topic "
                            + topic
                            + " has no partition '"
                            + partition
                            + "' (numbers only).");
        }
    }

    private static PartitionRecord toRecord(
            String partition, ConsumerRecord<byte[], byte[]> record) {
        byte[] value = record.value() == null ? new byte[0] : record.value();
        return new PartitionRecord(
                partition, record.offset(), record.key(), value, record.timestamp());
    }

    private StreamException failure(String partition, long offset, KafkaException e) {
        return new StreamException(
                String.format(
                        "Cannot read Kafka topic %s, partition %s%s: %s",
                        topic,
                        partition,
                        offset >= 0 ? " at offset " + offset : "",
                        e.getMessage()),
                e);
    }
}
