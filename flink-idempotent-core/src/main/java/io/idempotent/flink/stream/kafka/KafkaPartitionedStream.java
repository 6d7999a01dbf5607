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

    /**
     * By partition number: records fetched beyond what a forward read returned, kept for the next
     * forward read.
     */
    private final Map<Integer, Buffer> buffers = new HashMap<>();

    /** Calls of readFromAll so far, to mark the partitions one asked. */
    private long round;

    /**
     * Whether exactly the partitions marked {@link Buffer#fetching} ({@link #fetchingCount} of
     * them) are resumed: a read of one partition pauses all others.
     */
    private boolean fetchingValid;

    private int fetchingCount;

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
        // A reader waits for new records in its poll; the broker answers a fetch once it has
        // FETCH_MIN_BYTES for it or after FETCH_MAX_WAIT: a few records a partition do not each
        // make a fetch (and a walk of the consumer over all the partitions it fetches), and a
        // record waits at most that long.
        config.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "50");
        config.putIfAbsent(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, "16384");
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
        Buffer buffer = buffer(partition);
        TopicPartition tp = buffer.tp;
        try {
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
            buffer.fetchedTo = consumer.position(tp);
            return records;
        } catch (KafkaException e) {
            buffers.remove(tp.partition());
            throw failure(partition, fromSequence, e);
        }
    }

    /**
     * Polls every partition asked for together: the consumer is assigned all of them, positioned
     * where a caller's position is not where the partition's buffer continues, and one poll fills
     * the buffers. A partition answers empty when nothing is buffered and its fetches have reached
     * the end last known (looked up when it was positioned, moved on by the records fetched); one
     * with nothing buffered yet that lies behind is left out. A call asks the broker nothing per
     * partition beyond the poll: a caught-up partition's new records arrive with a later poll, so
     * the work of a call over thousands of caught-up partitions is a poll and a walk of the map.
     * With nothing buffered for any partition asked, the poll waits (up to {@link #POLL}) for a
     * fetch that brings records.
     */
    @Override
    public synchronized Map<String, List<PartitionRecord>> readFromAll(
            Map<String, Long> positions, int maxRecords, int maxInAll) {
        try {
            round++;
            List<Buffer> asked = new ArrayList<>(positions.size());
            List<TopicPartition> unassigned = new ArrayList<>();
            Map<TopicPartition, Long> moved = new LinkedHashMap<>();
            boolean sameAsLast = fetchingValid;
            for (Map.Entry<String, Long> entry : positions.entrySet()) {
                Buffer buffer = buffer(entry.getKey());
                if (buffer.askedIn == round) {
                    continue; // named twice
                }
                buffer.askedIn = round;
                asked.add(buffer);
                if (!buffer.assigned) {
                    unassigned.add(buffer.tp);
                }
                sameAsLast &= buffer.fetching;
                long from = entry.getValue();
                if (buffer.validFrom != from) {
                    buffer.records.clear();
                    buffer.validFrom = from;
                    moved.put(buffer.tp, from);
                }
            }
            if (!unassigned.isEmpty()) {
                Set<TopicPartition> all = new HashSet<>(consumer.assignment());
                all.addAll(unassigned);
                consumer.assign(all);
                for (TopicPartition tp : unassigned) {
                    buffers.get(tp.partition()).assigned = true;
                }
            }
            if (!moved.isEmpty()) {
                Map<TopicPartition, Long> ends = requireReadable(moved);
                for (Map.Entry<TopicPartition, Long> entry : moved.entrySet()) {
                    consumer.seek(entry.getKey(), entry.getValue());
                    Buffer buffer = buffers.get(entry.getKey().partition());
                    buffer.fetchedTo = entry.getValue();
                    buffer.knownEnd = ends.get(entry.getKey());
                }
            }
            if (!sameAsLast || fetchingCount != asked.size()) {
                fetchOnly(asked);
            }
            boolean ready = false;
            boolean hungry = false;
            for (Buffer buffer : asked) {
                if (!buffer.records.isEmpty()) {
                    ready = true;
                } else {
                    hungry = true;
                }
            }
            if (hungry) {
                // With nothing to hand on, wait for the next fetch that brings records: a poll
                // costs the consumer a walk over all partitions it fetches, so a reader of
                // thousands must not spin on polls that bring nothing.
                Duration wait = ready ? Duration.ZERO : POLL;
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(wait)) {
                    Buffer buffer = buffers.get(record.partition());
                    if (buffer != null && record.offset() >= buffer.validFrom) {
                        buffer.records.add(record);
                        buffer.fetchedTo = Math.max(buffer.fetchedTo, record.offset() + 1);
                        buffer.knownEnd = Math.max(buffer.knownEnd, buffer.fetchedTo);
                    }
                }
            }
            Map<String, List<PartitionRecord>> read = new LinkedHashMap<>();
            int inAll = 0;
            for (Buffer buffer : asked) {
                if (inAll >= maxInAll) {
                    break; // the rest stay buffered for the next call
                }
                if (!buffer.records.isEmpty()) {
                    List<PartitionRecord> records = new ArrayList<>();
                    while (!buffer.records.isEmpty() && records.size() < maxRecords) {
                        records.add(toRecord(buffer.name, buffer.records.poll()));
                    }
                    buffer.validFrom = records.get(records.size() - 1).sequence() + 1;
                    read.put(buffer.name, records);
                    inAll += records.size();
                } else if (atEnd(buffer)) {
                    read.put(buffer.name, List.of());
                }
            }
            return read;
        } catch (KafkaException e) {
            buffers.clear();
            fetchingValid = false;
            throw failure(positions.size() + " partitions", -1, e);
        }
    }

    /**
     * Whether a partition with nothing buffered has no record from its position now, as far as
     * known: its fetches reached the end last known; or the consumer's position did, past records a
     * read-committed consumer does not return (transaction markers, aborted records).
     */
    private boolean atEnd(Buffer buffer) {
        if (buffer.fetchedTo < buffer.knownEnd) {
            buffer.fetchedTo = Math.max(buffer.fetchedTo, consumer.position(buffer.tp));
        }
        return buffer.fetchedTo >= buffer.knownEnd;
    }

    /** Fetches only {@code asked}: the others keep their positions but are not fetched now. */
    private void fetchOnly(List<Buffer> asked) {
        List<TopicPartition> resume = new ArrayList<>(asked.size());
        for (Buffer buffer : asked) {
            resume.add(buffer.tp);
        }
        for (Buffer buffer : buffers.values()) {
            buffer.fetching = buffer.askedIn == round;
        }
        List<TopicPartition> pause = new ArrayList<>();
        for (TopicPartition tp : consumer.assignment()) {
            Buffer buffer = buffers.get(tp.partition());
            if (buffer == null || !buffer.fetching) {
                pause.add(tp);
            }
        }
        consumer.pause(pause);
        consumer.resume(resume);
        fetchingCount = asked.size();
        fetchingValid = true;
    }

    private Buffer buffer(String partition) {
        Buffer buffer = buffers.get(partitionNumber(partition));
        if (buffer == null) {
            buffer = new Buffer(topicPartition(partition), partition);
            buffers.put(buffer.tp.partition(), buffer);
        }
        return buffer;
    }

    @Override
    public synchronized List<PartitionRecord> readRange(String partition, SequenceRange range) {
        TopicPartition tp = topicPartition(partition);
        buffers.remove(tp.partition()); // the consumer's position moves: forward reads seek again
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
                            ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG,
                            ConsumerConfig.FETCH_MIN_BYTES_CONFIG)) {
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
        fetchingValid = false;
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

    /** A partition's records fetched ahead, and what is known of where its fetches and log end. */
    private static final class Buffer {
        final TopicPartition tp;
        final String name;
        final ArrayDeque<ConsumerRecord<byte[], byte[]>> records = new ArrayDeque<>();

        /** The caller's position that {@link #records} continue. */
        long validFrom = -1;

        /** The end of the log as last known: looked up, or after the last record fetched. */
        long knownEnd = -1;

        /** At most where the consumer's fetches of the partition continue. */
        long fetchedTo = -1;

        /** Whether readFromAll assigned the partition to the consumer. */
        boolean assigned;

        /** Whether the last readFromAll fetched it (resumed), and the call that last asked it. */
        boolean fetching;

        long askedIn;

        Buffer(TopicPartition tp, String name) {
            this.tp = tp;
            this.name = name;
        }
    }

    private TopicPartition topicPartition(String partition) {
        return new TopicPartition(topic, partitionNumber(partition));
    }

    private int partitionNumber(String partition) {
        try {
            return Integer.parseInt(partition);
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
