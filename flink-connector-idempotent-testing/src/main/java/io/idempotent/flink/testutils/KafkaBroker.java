package io.idempotent.flink.testutils;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.utils.Exit;

/**
 * A real Kafka broker (KRaft, one broker and one controller, loopback only) for the whole test JVM,
 * started from Maven artifacts on first use, in this JVM or ({@link #inOwnProcess}) in a process of
 * its own.
 */
public final class KafkaBroker {

    private static KafkaClusterTestKit cluster;

    private KafkaBroker() {}

    /** The broker in a process of its own, once {@link #inOwnProcess} started it. */
    private static KafkaBrokerProcess process;

    /**
     * From now on the broker runs in a process of its own, with its own limits of open files and
     * memory maps, for topics of thousands of partitions; unless one was started already, here or
     * in this JVM (which then stays).
     */
    public static synchronized void inOwnProcess(Path dir) {
        if (process != null || cluster != null) {
            return;
        }
        try {
            process =
                    KafkaBrokerProcess.start(
                            dir, System.getProperty("java.class.path"), List.of("-Xmx2g"));
        } catch (Exception e) {
            throw new IllegalStateException("Cannot start the Kafka broker's process", e);
        }
        closeAtExit(process);
    }

    private static void closeAtExit(AutoCloseable broker) {
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    try {
                                        broker.close();
                                    } catch (Exception ignored) {
                                        // the JVM is going away
                                    }
                                }));
    }

    public static synchronized String bootstrapServers() {
        if (process != null) {
            return process.bootstrapServers();
        }
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
                                // A deleted topic's files (and their handles) go at once.
                                .setConfigProp("file.delete.delay.ms", "1000")
                                .build();
                started.format();
                started.startup();
                started.waitForReadyBrokers();
                cluster = started;
            } catch (Exception e) {
                throw new IllegalStateException("Cannot start the in-process Kafka broker", e);
            }
            closeAtExit(cluster);
        }
        return cluster.bootstrapServers();
    }

    /**
     * Requests of one kind ({@code ListOffsets}, {@code Fetch}, ...) the in-process broker served
     * so far, from its own request metrics (JMX), all versions together.
     */
    public static long requestsServed(String request) throws Exception {
        if (process != null) {
            throw new IllegalStateException("The broker runs in a process of its own.");
        }
        bootstrapServers();
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        long served = 0;
        for (ObjectName name :
                server.queryNames(
                        new ObjectName(
                                "kafka.network:type=RequestMetrics,name=RequestsPerSec,request="
                                        + request
                                        + ",*"),
                        null)) {
            served += ((Number) server.getAttribute(name, "Count")).longValue();
        }
        return served;
    }

    private static void refuseToExit(int status, String message) {
        System.err.println(
                "The in-process Kafka broker asked to end the JVM (" + status + "): " + message);
    }

    /**
     * Creates a topic and returns once every partition's leader answers: a producer that writes to
     * a partition before then gets NOT_LEADER_OR_FOLLOWER, and its idempotent retries were seen
     * failing with OUT_OF_ORDER_SEQUENCE_NUMBER until their delivery timeout.
     */
    public static void createTopic(String topic, int partitions) {
        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        try (Admin admin = Admin.create(config)) {
            // The controller refuses an operation of more than 10,000 records (one per partition):
            // a larger topic is created in steps.
            int step = 5_000;
            admin.createTopics(List.of(new NewTopic(topic, Math.min(partitions, step), (short) 1)))
                    .all()
                    .get(120, TimeUnit.SECONDS);
            for (int count = step; count < partitions; count += step) {
                admin.createPartitions(
                                Map.of(
                                        topic,
                                        NewPartitions.increaseTo(
                                                Math.min(partitions, count + step))))
                        .all()
                        .get(120, TimeUnit.SECONDS);
            }
            Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                ends.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (true) {
                try {
                    admin.listOffsets(ends).all().get(60, TimeUnit.SECONDS);
                    return;
                } catch (ExecutionException notYet) {
                    if (System.nanoTime() > deadline) {
                        throw notYet;
                    }
                    Thread.sleep(100);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("Cannot create topic " + topic, e);
        }
    }

    /**
     * Deletes a topic, so that a run with thousands of partitions leaves none behind. A broker in
     * its own process is waited for until it closed a large topic's files (one per partition): it
     * deletes them in the background, and a topic of 10,000 partitions created meanwhile took it
     * past its limit of open files, and it stopped.
     */
    public static void deleteTopic(String topic) {
        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        try (Admin admin = Admin.create(config)) {
            int partitions =
                    admin.describeTopics(List.of(topic))
                            .allTopicNames()
                            .get(60, TimeUnit.SECONDS)
                            .get(topic)
                            .partitions()
                            .size();
            // Small topics are not waited for: their files did not all close within a minute,
            // and they are far from the limit.
            KafkaBrokerProcess broker = partitions >= 1_000 ? process : null;
            long before = broker == null ? 0 : broker.openFiles();
            admin.deleteTopics(List.of(topic)).all().get(60, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (broker != null
                    && broker.openFiles() > before - partitions
                    && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
        } catch (Exception e) {
            throw new IllegalStateException("Cannot delete topic " + topic, e);
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

    /**
     * The same payloads to each of {@code partitions}, with one transactional producer. The broker
     * under a loaded test JVM has been seen failing a transaction with {@code
     * InvalidTxnStateException}; such a transaction is decided by a new producer of the same
     * transactional id (which completes or aborts it), the partition's committed records are
     * counted, and the transaction is sent again only if it did not commit: every record is written
     * once or the call fails.
     */
    public static void appendTransactionally(
            String topic, List<Integer> partitions, List<String> payloads, int perTransaction) {
        String transactionalId = "test-" + UUID.randomUUID();
        KafkaProducer<byte[], byte[]> producer = transactionalProducer(transactionalId);
        try {
            for (int partition : partitions) {
                long committed = committedRecords(topic, partition);
                for (int i = 0; i < payloads.size(); i += perTransaction) {
                    List<String> chunk =
                            payloads.subList(i, Math.min(payloads.size(), i + perTransaction));
                    for (int attempt = 1; ; attempt++) {
                        try {
                            sendInOneTransaction(producer, topic, partition, chunk);
                            break;
                        } catch (KafkaException e) {
                            producer.close(Duration.ZERO);
                            producer = transactionalProducer(transactionalId);
                            long now = committedRecords(topic, partition);
                            if (now == committed + chunk.size()) {
                                break;
                            }
                            if (now != committed || attempt == 3) {
                                throw new IllegalStateException(
                                        "Cannot append to "
                                                + topic
                                                + "-"
                                                + partition
                                                + " ("
                                                + now
                                                + " committed records, "
                                                + committed
                                                + " before the transaction)",
                                        e);
                            }
                        }
                    }
                    committed += chunk.size();
                }
            }
        } finally {
            producer.close();
        }
    }

    private static KafkaProducer<byte[], byte[]> transactionalProducer(String transactionalId) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        config.put(
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config);
        producer.initTransactions();
        return producer;
    }

    private static void sendInOneTransaction(
            KafkaProducer<byte[], byte[]> producer,
            String topic,
            int partition,
            List<String> payloads) {
        producer.beginTransaction();
        for (String payload : payloads) {
            producer.send(
                    new ProducerRecord<>(
                            topic, partition, null, payload.getBytes(StandardCharsets.UTF_8)));
        }
        producer.commitTransaction();
    }

    /** How many committed records the partition holds (read to its last stable offset). */
    private static long committedRecords(String topic, int partition) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        config.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        TopicPartition tp = new TopicPartition(topic, partition);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            long count = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (consumer.position(tp) < end) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Cannot read " + tp + " to offset " + end);
                }
                count += consumer.poll(Duration.ofMillis(200)).count();
            }
            return count;
        }
    }
}
