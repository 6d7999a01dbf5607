package io.idempotent.flink.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.idempotent.flink.checkpoint.CheckpointStoreFactory;
import io.idempotent.flink.checkpoint.jdbc.PostgresCheckpointStore;
import io.idempotent.flink.destination.file.FileDestination;
import io.idempotent.flink.origin.Traced;
import io.idempotent.flink.sink.IdempotentSink;
import io.idempotent.flink.source.IdempotentSource;
import io.idempotent.flink.source.StartingPosition;
import io.idempotent.flink.stream.PartitionRecord;
import io.idempotent.flink.stream.kafka.KafkaPartitionedStream;
import io.idempotent.flink.testutils.CliRun;
import io.idempotent.flink.testutils.KafkaBroker;
import io.idempotent.flink.testutils.PostgresServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code status} and {@code reset} against the store of a running job in the documented
 * deployment's shape: a Kafka topic, a PostgreSQL checkpoint store, no local directory.
 */
class OperatorToolsITCase {

    private static final String SINK = "tools";
    private static final int RECORDS = 50;

    @TempDir Path dir;

    /** Proves design.md row F41 on a running job. */
    @Test
    void statusAndResetWorkOnARunningJobsKafkaAndPostgresStore() throws Exception {
        String topic = "tools-" + dir.getFileName().toString().replaceAll("[^a-zA-Z0-9]", "");
        String table = PostgresServer.uniqueTable("tools_checkpoints");
        KafkaBroker.createTopic(topic, 2);
        produce(topic, 0, RECORDS);
        produce(topic, 1, RECORDS);
        JobClient job = start(topic, table);
        try {
            String[] store = {"--jdbc-url", PostgresServer.jdbcUrl(), "--table", table};
            String[] kafka = {
                "--kafka-bootstrap-servers", KafkaBroker.bootstrapServers(), "--topic", topic
            };
            JsonNode status = awaitDelivered(concat(kafka, store));
            String qualified = status.get("stream").asText();
            assertThat(qualified).startsWith(topic + "@").isNotEqualTo(topic);
            for (JsonNode row : status.get("partitions")) {
                assertThat(row.get("end").asLong()).isEqualTo(RECORDS);
                assertThat(row.get("committed").asLong()).isEqualTo(RECORDS - 1);
                assertThat(row.get("behind").asLong()).isZero();
            }
            long epoch = status.get("partitions").get(0).get("epoch").asLong();

            // The plain topic name is not a key the store holds: refused, nothing written.
            CliRun plain =
                    CliRun.of(
                            IdempotentTools::run,
                            concat(
                                    new String[] {
                                        "reset",
                                        "--stream-name",
                                        topic,
                                        "--partition",
                                        "0",
                                        "--sink",
                                        SINK,
                                        "--to",
                                        "9",
                                        "--yes"
                                    },
                                    store));
            assertThat(plain.code()).isEqualTo(1);

            // A dry run prints the change and makes none; the job runs on.
            CliRun dry =
                    CliRun.of(
                            IdempotentTools::run,
                            concat(
                                    new String[] {
                                        "reset", "--partition", "0", "--sink", SINK, "--to", "9"
                                    },
                                    kafka,
                                    store));
            assertThat(dry.code()).isZero();
            assertThat(dry.output())
                    .contains(
                            "Would reset partition "
                                    + qualified
                                    + "/0 of sink '"
                                    + SINK
                                    + "': committed "
                                    + (RECORDS - 1)
                                    + " -> 9")
                    .contains("Dry run: nothing changed");
            JsonNode after = status(concat(kafka, store));
            assertThat(after.get("partitions").get(0).get("committed").asLong())
                    .isEqualTo(RECORDS - 1);
            assertThat(after.get("partitions").get(0).get("epoch").asLong()).isEqualTo(epoch);
            assertThat(job.getJobStatus().get().isGloballyTerminalState()).isFalse();

            // Applied: the partition is taken over; the running job is fenced at its next write.
            CliRun applied =
                    CliRun.of(
                            IdempotentTools::run,
                            concat(
                                    new String[] {
                                        "reset",
                                        "--partition",
                                        "0",
                                        "--sink",
                                        SINK,
                                        "--to",
                                        "9",
                                        "--yes"
                                    },
                                    kafka,
                                    store));
            assertThat(applied.code()).isZero();
            assertThat(applied.output()).contains("Reset partition " + qualified + "/0");
            produce(topic, 0, 5);
            assertThatThrownBy(() -> job.getJobExecutionResult().get(60, TimeUnit.SECONDS))
                    .hasStackTraceContaining(SuppressRestartsException.class.getName())
                    .hasStackTraceContaining("lost partition " + qualified + "/0");
            JsonNode reset = status(concat(kafka, store));
            JsonNode p0 = reset.get("partitions").get(0);
            assertThat(p0.get("committed").asLong()).isEqualTo(9);
            assertThat(p0.get("end").asLong()).isEqualTo(RECORDS + 5);
            assertThat(p0.get("behind").asLong()).isEqualTo(RECORDS + 5 - 10);
            assertThat(p0.get("epoch").asLong()).isGreaterThan(epoch);
        } finally {
            try {
                job.cancel();
            } catch (IllegalStateException finished) {
                // The local cluster shut down with the job.
            }
        }
    }

    private JobClient start(String topic, String table) throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        env.enableCheckpointing(200);
        CheckpointStoreFactory store =
                PostgresCheckpointStore.builder()
                        .url(PostgresServer.jdbcUrl())
                        .table(table)
                        .buildFactory();
        env.fromSource(
                        IdempotentSource.builder().stream(
                                        KafkaPartitionedStream.factory(
                                                KafkaBroker.bootstrapServers(),
                                                topic,
                                                new Properties()))
                                .startingFrom(StartingPosition.CHECKPOINT_STORE)
                                .checkpointStore(store)
                                .build(),
                        WatermarkStrategy.noWatermarks(),
                        "kafka")
                .map(OperatorToolsITCase::line)
                .returns(TypeInformation.of(new TypeHint<Traced<String>>() {}))
                .sinkTo(
                        IdempotentSink.<String>builder()
                                .name(SINK)
                                .destination(
                                        FileDestination.factory(
                                                dir.resolve("out"),
                                                s -> s.getBytes(StandardCharsets.UTF_8)))
                                .checkpointStore(store)
                                .build());
        return env.executeAsync("operator-tools");
    }

    private static Traced<String> line(Traced<PartitionRecord> traced) throws Exception {
        return traced.map(
                record ->
                        record.partition()
                                + ":"
                                + record.sequence()
                                + " "
                                + new String(record.payload(), StandardCharsets.UTF_8));
    }

    private static JsonNode awaitDelivered(String[] where) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            JsonNode status = status(where);
            boolean delivered = status.get("partitions").size() == 2;
            for (JsonNode row : status.get("partitions")) {
                delivered &=
                        !row.get("committed").isNull()
                                && row.get("committed").asLong() == RECORDS - 1;
            }
            if (delivered || System.nanoTime() > deadline) {
                return status;
            }
            Thread.sleep(200);
        }
    }

    private static JsonNode status(String[] where) throws Exception {
        CliRun run =
                CliRun.of(
                        IdempotentTools::run,
                        concat(new String[] {"status", "--sink", SINK, "--json"}, where));
        assertThat(run.code()).as(run.output()).isZero();
        return new ObjectMapper().readTree(run.output());
    }

    private static void produce(String topic, int partition, int count) throws Exception {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.bootstrapServers());
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config)) {
            for (int i = 0; i < count; i++) {
                producer.send(
                                new ProducerRecord<>(
                                        topic,
                                        partition,
                                        null,
                                        ("record-" + i).getBytes(StandardCharsets.UTF_8)))
                        .get();
            }
        }
    }

    private static String[] concat(String[]... parts) {
        List<String> all = new ArrayList<>();
        for (String[] part : parts) {
            all.addAll(List.of(part));
        }
        return all.toArray(new String[0]);
    }
}
