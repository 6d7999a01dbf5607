package io.idempotent.flink.sink;

import io.idempotent.flink.stream.PartitionRecord;
import io.idempotent.flink.stream.PartitionedStream;
import io.idempotent.flink.stream.PartitionedStreamFactory;
import io.idempotent.flink.stream.kafka.KafkaPartitionedStream;
import io.idempotent.flink.stream.local.LocalStream;
import io.idempotent.flink.testutils.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stream the end-to-end suite runs on, so that one suite proves every stream: the embedded local
 * stream, or a Kafka topic on the in-process broker.
 */
public interface StreamFixture {

    /** The stream's name; batch identities start with it. */
    String name();

    PartitionedStreamFactory factory();

    /** Appends {@code perPartition} records {@code "payload-<i>"} to every partition. */
    void append(int perPartition);

    /** Every sequence number of every partition, read back from the stream. */
    default Map<String, List<Long>> sequences() {
        Map<String, List<Long>> sequences = new LinkedHashMap<>();
        try (PartitionedStream stream = factory().open()) {
            for (String partition : stream.partitions()) {
                List<Long> list = new ArrayList<>();
                long end = stream.endSequence(partition);
                for (long next = 0; next < end; ) {
                    List<PartitionRecord> records = stream.readFrom(partition, next, 1000);
                    if (records.isEmpty()) {
                        break;
                    }
                    records.forEach(r -> list.add(r.sequence()));
                    next = records.get(records.size() - 1).sequence() + 1;
                }
                sequences.put(partition, list);
            }
        }
        return sequences;
    }

    static StreamFixture local(Path directory, int partitions) {
        LocalStream.create(directory, "events", partitions).close();
        return openLocal(directory);
    }

    /** A local stream that exists in {@code directory}. */
    static StreamFixture openLocal(Path directory) {
        String qualifiedName;
        try (LocalStream opened = LocalStream.openReadOnly(directory)) {
            qualifiedName = opened.qualifiedName();
        }
        return new StreamFixture() {
            /** The name the source gives the stream's partitions: with its creation id. */
            @Override
            public String name() {
                return qualifiedName;
            }

            @Override
            public PartitionedStreamFactory factory() {
                return LocalStream.factory(directory);
            }

            @Override
            public void append(int perPartition) {
                try (LocalStream stream = LocalStream.open(directory)) {
                    for (String partition : stream.partitions()) {
                        List<LocalStream.NewRecord> records = new ArrayList<>();
                        for (int i = 0; i < perPartition; i++) {
                            records.add(
                                    LocalStream.NewRecord.of(
                                            ("payload-" + i).getBytes(StandardCharsets.UTF_8), i));
                        }
                        stream.appendAll(partition, records);
                    }
                }
            }
        };
    }

    /** A new topic; records are written in transactions of 50, so offsets have gaps. */
    static StreamFixture kafka(int partitions) {
        String topic = "events-" + Topics.NEXT.incrementAndGet();
        KafkaBroker.createTopic(topic, partitions);
        return new StreamFixture() {
            private String qualifiedName;

            /** The name the source gives the topic's partitions: with the topic's id. */
            @Override
            public synchronized String name() {
                if (qualifiedName == null) {
                    try (var stream = factory().open()) {
                        qualifiedName = stream.qualifiedName();
                    }
                }
                return qualifiedName;
            }

            @Override
            public PartitionedStreamFactory factory() {
                return KafkaPartitionedStream.factory(
                        KafkaBroker.bootstrapServers(), topic, new Properties());
            }

            @Override
            public void append(int perPartition) {
                List<String> payloads = new ArrayList<>();
                for (int i = 0; i < perPartition; i++) {
                    payloads.add("payload-" + i);
                }
                List<Integer> all = new ArrayList<>();
                for (int p = 0; p < partitions; p++) {
                    all.add(p);
                }
                KafkaBroker.appendTransactionally(topic, all, payloads, 50);
            }
        };
    }

    /** Topic names unique within the JVM. */
    final class Topics {
        static final AtomicInteger NEXT = new AtomicInteger();

        private Topics() {}
    }
}
