package io.idempotent.flink.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a topic the way a downstream consumer of an exactly-once job does (read_committed) and
 * tells {@link Observed} when each line became visible.
 */
final class KafkaLineReader implements AutoCloseable {

    private final Thread thread;
    private volatile boolean running = true;

    KafkaLineReader(String bootstrapServers, String topic) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        thread =
                new Thread(
                        () -> {
                            try (KafkaConsumer<byte[], byte[]> consumer =
                                    new KafkaConsumer<>(config)) {
                                List<TopicPartition> partitions = new ArrayList<>();
                                for (PartitionInfo info : consumer.partitionsFor(topic)) {
                                    partitions.add(new TopicPartition(topic, info.partition()));
                                }
                                consumer.assign(partitions);
                                consumer.seekToBeginning(partitions);
                                while (running) {
                                    for (ConsumerRecord<byte[], byte[]> record :
                                            consumer.poll(Duration.ofMillis(20))) {
                                        Observed.visible(
                                                new String(record.value(), StandardCharsets.UTF_8),
                                                System.currentTimeMillis());
                                    }
                                }
                            }
                        },
                        "kafka-line-reader");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(10_000);
    }
}
