package io.idempotent.flink.bench;

import io.idempotent.flink.storage.WriteDurability;
import io.idempotent.flink.stream.local.LocalStream;
import io.idempotent.flink.testutils.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** The benchmark's input: the same records in the embedded stream and in a Kafka topic. */
final class BenchData {

    private BenchData() {}

    /** The n-th record's payload: about {@code payloadBytes} of JSON. */
    static byte[] payload(long n, int payloadBytes) {
        String padding = "x".repeat(Math.max(0, payloadBytes - 40));
        return ("{\"n\":" + n + ",\"pad\":\"" + padding + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    static void fillLocal(Path dir, PipelineBenchmark.Settings settings) {
        fillLocal(
                dir,
                "bench",
                settings.partitions(),
                settings.recordsPerPartition(),
                settings.payloadBytes());
    }

    /** A new local stream with {@code perPartition} records in each partition. */
    static void fillLocal(
            Path dir, String name, int partitions, long perPartition, int payloadBytes) {
        try (LocalStream stream =
                LocalStream.create(dir, name, partitions, WriteDurability.RELAXED)) {
            for (String partition : stream.partitions()) {
                List<LocalStream.NewRecord> chunk = new ArrayList<>();
                for (long i = 0; i < perPartition; i++) {
                    chunk.add(
                            LocalStream.NewRecord.of(
                                    payload(i, payloadBytes), System.currentTimeMillis()));
                    if (chunk.size() == 10_000) {
                        stream.appendAll(partition, chunk);
                        chunk.clear();
                    }
                }
                if (!chunk.isEmpty()) {
                    stream.appendAll(partition, chunk);
                }
            }
        }
    }

    static void fillKafka(String topic, PipelineBenchmark.Settings settings) {
        KafkaBroker.createTopic(topic, settings.partitions());
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.bootstrapServers());
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config)) {
            for (int partition = 0; partition < settings.partitions(); partition++) {
                for (int n = 0; n < settings.recordsPerPartition(); n++) {
                    producer.send(
                            new ProducerRecord<>(
                                    topic,
                                    partition,
                                    System.currentTimeMillis(),
                                    null,
                                    payload(n, settings.payloadBytes())));
                }
            }
            producer.flush();
        }
    }

    /** Waits until the job's tasks run, so that latency does not include the job's start. */
    static void awaitRunning(JobClient job) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (job.getJobStatus().get() != JobStatus.RUNNING) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("The job did not start: " + job.getJobID());
            }
            Thread.sleep(20);
        }
        // RUNNING is the job's state; give the tasks time to deploy and open their readers.
        Thread.sleep(2_000);
    }

    /**
     * Appends records to every partition of the live stream at the settings' rate, stamped with the
     * time of their append, for the settings' duration; returns how many.
     */
    static long produceLive(Path live, PipelineBenchmark.Settings settings, Duration duration)
            throws InterruptedException {
        int ticksPerSecond = 100;
        long perTick = Math.max(1, settings.latencyRate() / ticksPerSecond);
        long ticks = duration.toSeconds() * ticksPerSecond;
        long produced = 0;
        try (LocalStream stream = LocalStream.open(live, WriteDurability.RELAXED)) {
            List<String> partitions = stream.partitions();
            long started = System.nanoTime();
            for (long tick = 0; tick < ticks; tick++) {
                long due = started + tick * TimeUnit.SECONDS.toNanos(1) / ticksPerSecond;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                long now = System.currentTimeMillis();
                for (int p = 0; p < partitions.size(); p++) {
                    List<LocalStream.NewRecord> records = new ArrayList<>();
                    for (long i = p; i < perTick; i += partitions.size()) {
                        records.add(
                                LocalStream.NewRecord.of(
                                        payload(produced + i, settings.payloadBytes()), now));
                    }
                    if (!records.isEmpty()) {
                        stream.appendAll(partitions.get(p), records);
                    }
                }
                produced += perTick;
            }
        }
        return produced;
    }
}
