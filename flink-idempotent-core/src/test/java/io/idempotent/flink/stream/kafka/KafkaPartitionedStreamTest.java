package io.idempotent.flink.stream.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.idempotent.flink.stream.PartitionRecord;
import io.idempotent.flink.stream.PartitionedStream;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamException;
import io.idempotent.flink.testutils.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Against a real in-process Kafka broker, with transaction markers leaving gaps in offsets. */
class KafkaPartitionedStreamTest {

    private static PartitionedStream open(String topic) {
        return KafkaPartitionedStream.factory(
                        KafkaBroker.bootstrapServers(), topic, new Properties())
                .open();
    }

    @Test
    void readsForwardAndExactRangesAcrossTransactionMarkers() {
        String topic = "markers";
        KafkaBroker.createTopic(topic, 2);
        KafkaBroker.appendTransactionally(topic, 1, List.of("a", "b", "c", "d", "e"), 2);
        try (PartitionedStream stream = open(topic)) {
            assertThat(stream.name()).isEqualTo(topic);
            assertThat(stream.partitions()).containsExactly("0", "1");
            // Transactions of 2 records: a marker after each, so offsets 0,1 3,4 6.
            List<PartitionRecord> all = stream.readFrom("1", 0, 100);
            assertThat(all)
                    .extracting(PartitionRecord::sequence)
                    .containsExactly(0L, 1L, 3L, 4L, 6L);
            assertThat(new String(all.get(2).payload(), StandardCharsets.UTF_8)).isEqualTo("c");
            assertThat(stream.endSequence("1")).isEqualTo(8);
            assertThat(stream.readFrom("1", 2, 2))
                    .extracting(PartitionRecord::sequence)
                    .containsExactly(3L, 4L);
            assertThat(stream.readRange("1", SequenceRange.of(1, 4)))
                    .extracting(PartitionRecord::sequence)
                    .containsExactly(1L, 3L, 4L);
            assertThat(stream.readRange("1", SequenceRange.of(3, 3))).hasSize(1);
            assertThat(stream.readFrom("0", 0, 10)).isEmpty();
            assertThat(stream.readFrom("1", 8, 10)).isEmpty();
        }
    }

    /**
     * Proves design.md row F30 for Kafka: many partitions are read forward together, each from its
     * own position, across transaction markers; a partition at its end answers empty (so a bounded
     * reader knows it is done), and asking again continues where each answer ended.
     */
    @Test
    void readsManyPartitionsForwardTogether() {
        String topic = "together";
        int partitions = 50;
        KafkaBroker.createTopic(topic, partitions + 1);
        KafkaBroker.appendTransactionally(
                topic, IntStream.range(0, partitions).boxed().toList(), List.of("a", "b", "c"), 2);
        try (PartitionedStream stream = open(topic)) {
            // Offsets 0,1 (marker 2) 3 (marker 4): from 1 everywhere but partition 0 and the empty
            // one, from 0 there.
            Map<String, Long> from = new LinkedHashMap<>();
            for (int p = 0; p <= partitions; p++) {
                from.put(Integer.toString(p), p == 0 || p == partitions ? 0L : 1L);
            }
            Map<String, List<Long>> read = new LinkedHashMap<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (read.size() < partitions + 1 && System.nanoTime() < deadline) {
                Map<String, Long> asked = new LinkedHashMap<>(from);
                asked.keySet().removeAll(read.keySet());
                stream.readFromAll(asked, 1, Integer.MAX_VALUE)
                        .forEach(
                                (partition, records) ->
                                        read.put(
                                                partition,
                                                records.stream()
                                                        .map(PartitionRecord::sequence)
                                                        .toList()));
            }
            assertThat(read.get("0")).as("at most maxRecords").containsExactly(0L);
            for (int p = 1; p < partitions; p++) {
                assertThat(read.get(Integer.toString(p))).containsExactly(1L);
            }
            assertThat(read.get(Integer.toString(partitions))).as("an empty partition").isEmpty();

            Map<String, Long> next = Map.of("0", 1L, "7", 2L, "9", 5L);
            Map<String, List<PartitionRecord>> more = Map.of();
            while (more.size() < 3 && System.nanoTime() < deadline) {
                more = stream.readFromAll(next, 10, Integer.MAX_VALUE);
            }
            assertThat(more.get("0")).extracting(PartitionRecord::sequence).containsExactly(1L, 3L);
            assertThat(more.get("7")).extracting(PartitionRecord::sequence).containsExactly(3L);
            assertThat(more.get("9")).as("past the last record and its marker").isEmpty();
            assertThat(new String(more.get("7").get(0).payload(), StandardCharsets.UTF_8))
                    .isEqualTo("c");

            // At most about maxInAll records in all: the partitions after are not in the answer.
            Map<String, Long> again = new LinkedHashMap<>();
            again.put("3", 0L);
            again.put("4", 0L);
            again.put("5", 0L);
            Map<String, List<PartitionRecord>> bounded = Map.of();
            while (bounded.isEmpty() && System.nanoTime() < deadline) {
                bounded = stream.readFromAll(again, 10, 1);
            }
            assertThat(bounded).containsOnlyKeys("3");
            assertThat(bounded.get("3"))
                    .extracting(PartitionRecord::sequence)
                    .containsExactly(0L, 1L, 3L);
        }
    }

    /**
     * Proves design.md row F33: a call over many caught-up partitions is a poll, not a lookup of
     * every partition's end (the broker counts no end-offset request for such calls; before, each
     * call asked the ends of all of them, which at 5,000 partitions a reader took most of the
     * fetcher's time); a partition past its last record and its transaction marker still answers
     * empty, and a record appended to a caught-up partition still arrives.
     */
    @Test
    void callsOverCaughtUpPartitionsDoNotLookTheirEndsUp() throws Exception {
        String topic = "caught-up";
        int partitions = 200;
        KafkaBroker.createTopic(topic, partitions);
        // One record and its transaction's marker each: offsets 0 and 1, the end at 2.
        KafkaBroker.appendTransactionally(
                topic, IntStream.range(0, partitions).boxed().toList(), List.of("a"), 1);
        try (PartitionedStream stream = open(topic)) {
            Map<String, Long> from = new LinkedHashMap<>();
            for (int p = 0; p < partitions; p++) {
                from.put(Integer.toString(p), 0L);
            }
            Map<String, List<PartitionRecord>> read = new LinkedHashMap<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (read.size() < partitions && System.nanoTime() < deadline) {
                Map<String, Long> asked = new LinkedHashMap<>(from);
                asked.keySet().removeAll(read.keySet());
                read.putAll(stream.readFromAll(asked, 10, Integer.MAX_VALUE));
            }
            assertThat(read).hasSize(partitions);
            from.replaceAll((partition, position) -> 1L);
            Map<String, List<PartitionRecord>> atEnd = Map.of();
            while (atEnd.size() < partitions && System.nanoTime() < deadline) {
                atEnd = stream.readFromAll(from, 10, Integer.MAX_VALUE);
            }
            assertThat(atEnd)
                    .hasSize(partitions)
                    .allSatisfy((p, records) -> assertThat(records).isEmpty());

            long before = KafkaBroker.requestsServed("ListOffsets");
            assertThat(before).as("the broker counts end-offset requests").isPositive();
            for (int call = 0; call < 20; call++) {
                assertThat(stream.readFromAll(from, 10, Integer.MAX_VALUE))
                        .hasSize(partitions)
                        .allSatisfy((p, records) -> assertThat(records).isEmpty());
            }
            assertThat(KafkaBroker.requestsServed("ListOffsets") - before)
                    .as("end-offset requests for 20 calls over %d caught-up partitions", partitions)
                    .isLessThanOrEqualTo(1);

            KafkaBroker.appendTransactionally(topic, 7, List.of("b"), 1);
            List<PartitionRecord> appended = List.of();
            while (appended.isEmpty() && System.nanoTime() < deadline) {
                appended =
                        stream.readFromAll(from, 10, Integer.MAX_VALUE)
                                .getOrDefault("7", List.of());
            }
            assertThat(appended).extracting(PartitionRecord::sequence).containsExactly(2L);
        }
    }

    /**
     * Proves design.md row F20 for Kafka: records removed by retention before they were read fail
     * the read loudly (no silent reset to the earliest offset), as does a position beyond the
     * partition's end; reading from the beginning starts where the log now starts.
     */
    @Test
    void recordsRemovedBeforeTheyWereReadAndPositionsBeyondTheEndFailLoudly() throws Exception {
        String topic = "retention";
        KafkaBroker.createTopic(topic, 1);
        KafkaBroker.appendTransactionally(topic, 0, List.of("a", "b", "c", "d", "e", "f"), 6);
        try (Admin admin =
                Admin.create(Map.of("bootstrap.servers", KafkaBroker.bootstrapServers()))) {
            admin.deleteRecords(
                            Map.of(new TopicPartition(topic, 0), RecordsToDelete.beforeOffset(3)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
        try (PartitionedStream stream = open(topic)) {
            assertThat(stream.startSequence("0")).isEqualTo(3);
            assertThatThrownBy(() -> stream.readFrom("0", 1, 10))
                    .isInstanceOf(StreamException.class)
                    .hasMessageContaining("partition 0")
                    .hasMessageContaining("offsets 1 to 2 were removed")
                    .hasMessageContaining("reset");
            assertThat(stream.readFrom("0", 3, 10))
                    .extracting(PartitionRecord::sequence)
                    .containsExactly(3L, 4L, 5L);
            assertThatThrownBy(() -> stream.readFrom("0", 50, 10))
                    .isInstanceOf(StreamException.class)
                    .hasMessageContaining("beyond the partition's end 7");
        }
    }

    /**
     * Proves design.md row F20 for Kafka: a topic deleted and created again under its name has
     * another incarnation, so its partitions get other split names, checkpoints and identities.
     */
    @Test
    void aTopicCreatedAgainIsAnotherIncarnation() throws Exception {
        String topic = "recreated";
        KafkaBroker.createTopic(topic, 1);
        String first;
        try (PartitionedStream stream = open(topic)) {
            first = stream.incarnation();
            assertThat(first).isNotEmpty();
            assertThat(stream.qualifiedName()).isEqualTo(topic + "@" + first);
        }
        try (Admin admin =
                Admin.create(Map.of("bootstrap.servers", KafkaBroker.bootstrapServers()))) {
            admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic)) {
                assertThat(System.nanoTime()).as("topic deleted in time").isLessThan(deadline);
                Thread.sleep(100);
            }
        }
        KafkaBroker.createTopic(topic, 1);
        try (PartitionedStream stream = open(topic)) {
            assertThat(stream.incarnation()).isNotEmpty().isNotEqualTo(first);
        }
    }

    @Test
    void explainsAMissingTopicAndAWrongIsolationLevel() {
        try (PartitionedStream stream = open("no-such-topic")) {
            assertThatThrownBy(stream::partitions)
                    .isInstanceOf(StreamException.class)
                    .hasMessageContaining("no-such-topic");
        }
        Properties uncommitted = new Properties();
        uncommitted.put("isolation.level", "read_uncommitted");
        assertThatThrownBy(() -> KafkaPartitionedStream.factory("localhost:9092", "t", uncommitted))
                .hasMessageContaining("read_committed");
    }
}
