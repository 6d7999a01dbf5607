package io.idempotent.flink.testutils;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.utils.Exit;

/**
 * A real Kafka broker (KRaft, one broker and one controller, loopback only) for the whole test JVM,
 * started from Maven artifacts on first use.
 */
public final class KafkaBroker {

    private static KafkaClusterTestKit cluster;

    private KafkaBroker() {}

    public static synchronized String bootstrapServers() {
        if (cluster == null) {
            // A broker that meets trouble at JVM shutdown (its log directories going away) halts
            // the process; in a test JVM that turns a green run red after the last test.
            Exit.setExitProcedure(KafkaBroker::refuseToExit);
            Exit.setHaltProcedure(KafkaBroker::refuseToExit);
            try {
                KafkaClusterTestKit started =
                        new KafkaClusterTestKit.Builder(
                                        new TestKitNodes.Builder()
                                                .setNumBrokerNodes(1)
                                                .setNumControllerNodes(1)
                                                .build())
                                .setConfigProp("offsets.topic.replication.factor", "1")
                                .setConfigProp("transaction.state.log.replication.factor", "1")
                                .setConfigProp("transaction.state.log.min.isr", "1")
                                .build();
                started.format();
                started.startup();
                started.waitForReadyBrokers();
                cluster = started;
            } catch (Exception e) {
                throw new IllegalStateException("Cannot start the in-process Kafka broker", e);
            }
            KafkaClusterTestKit toClose = cluster;
            Runtime.getRuntime()
                    .addShutdownHook(
                            new Thread(
                                    () -> {
                                        try {
                                            toClose.close();
                                        } catch (Exception ignored) {
                                            // the JVM is going away
                                        }
                                    }));
        }
        return cluster.bootstrapServers();
    }

    private static void refuseToExit(int status, String message) {
        System.err.println(
                "The in-process Kafka broker asked to end the JVM (" + status + "): " + message);
    }

    public static void createTopic(String topic, int partitions) {
        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        try (Admin admin = Admin.create(config)) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
                    .all()
                    .get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot create topic " + topic, e);
        }
    }

    /**
     * Appends {@code payloads} to a partition in transactions of {@code perTransaction} records:
     * each commit marker leaves a gap in the offsets, as in production topics.
     */
    public static void appendTransactionally(
            String topic, int partition, List<String> payloads, int perTransaction) {
        appendTransactionally(topic, List.of(partition), payloads, perTransaction);
    }

    /** The same payloads to each of {@code partitions}, with one producer. */
    public static void appendTransactionally(
            String topic, List<Integer> partitions, List<String> payloads, int perTransaction) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        config.put(
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "test-" + UUID.randomUUID());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config)) {
            producer.initTransactions();
            for (int partition : partitions) {
                for (int i = 0; i < payloads.size(); i += perTransaction) {
                    producer.beginTransaction();
                    for (String payload :
                            payloads.subList(i, Math.min(payloads.size(), i + perTransaction))) {
                        producer.send(
                                new ProducerRecord<>(
                                        topic,
                                        partition,
                                        null,
                                        payload.getBytes(StandardCharsets.UTF_8)));
                    }
                    producer.commitTransaction();
                }
            }
        }
    }
}
