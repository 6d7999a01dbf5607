package io.idempotent.flink.examples.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.idempotent.flink.testutils.ExactlyOnceVerifier;
import io.idempotent.flink.testutils.KafkaBrokerProcess;
import io.idempotent.flink.testutils.PostgresServer;
import io.idempotent.flink.testutils.SaslSslKafkaBroker;
import io.idempotent.flink.testutils.TestCertificates;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job jar's main class against a Kafka cluster that accepts only SASL_SSL clients, with the
 * client's settings in a properties file ({@code --kafka-properties}) and the database password in
 * a file ({@code --jdbc-password-file}): every record arrives once, in order per partition.
 */
class ClusterJobITCase {

    private static final String PASSWORD = "app-s3cr3t";
    private static final int RECORDS = 30;

    @TempDir Path dir;

    /** Proves design.md row F39 for the job jar. */
    @Test
    void readsASecuredTopicWithItsClientPropertiesFile() throws Exception {
        TestCertificates certificates = TestCertificates.create(dir);
        try (KafkaBrokerProcess broker =
                SaslSslKafkaBroker.start(dir.resolve("broker"), certificates, PASSWORD)) {
            Properties client = new Properties();
            client.put("security.protocol", "SASL_SSL");
            client.put("sasl.mechanism", "PLAIN");
            client.put(
                    "sasl.jaas.config",
                    "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                            + SaslSslKafkaBroker.USER
                            + "\" password=\""
                            + PASSWORD
                            + "\";");
            client.put("ssl.truststore.location", certificates.clientTrustStore().toString());
            client.put("ssl.truststore.password", TestCertificates.PASSWORD);
            client.put("ssl.truststore.type", "PKCS12");
            Path clientFile = dir.resolve("client.properties");
            try (var out = Files.newBufferedWriter(clientFile, StandardCharsets.UTF_8)) {
                client.store(out, null);
            }
            produce(broker.bootstrapServers(), client);
            Path passwordFile = dir.resolve("db-password");
            Files.writeString(passwordFile, "any\n");
            String table = PostgresServer.uniqueTable("job_delivered");

            ClusterJob.main(
                    new String[] {
                        "--bootstrap-servers",
                        broker.bootstrapServers(),
                        "--topic",
                        "orders",
                        "--jdbc-url",
                        PostgresServer.jdbcUrl(),
                        "--jdbc-password-file",
                        passwordFile.toString(),
                        "--kafka-properties",
                        clientFile.toString(),
                        "--table",
                        table,
                        "--checkpoint-interval",
                        "200 ms",
                        "--bounded"
                    });

            List<ExactlyOnceVerifier.Origin> held = new ArrayList<>();
            try (Connection connection = DriverManager.getConnection(PostgresServer.jdbcUrl());
                    Statement statement = connection.createStatement();
                    ResultSet rows =
                            statement.executeQuery(
                                    "SELECT stream_partition, seq FROM "
                                            + table
                                            + " ORDER BY arrival")) {
                while (rows.next()) {
                    held.add(new ExactlyOnceVerifier.Origin(rows.getString(1), rows.getLong(2)));
                }
            }
            Map<String, List<Long>> expected = new LinkedHashMap<>();
            for (String partition : List.of("0", "1")) {
                List<Long> sequences = new ArrayList<>();
                for (long s = 0; s < RECORDS; s++) {
                    sequences.add(s);
                }
                expected.put(partition, sequences);
            }
            ExactlyOnceVerifier.Result result = ExactlyOnceVerifier.verify(expected, held);
            assertThat(result.exactlyOnce()).as(result.toString()).isTrue();
        }
    }

    private static void produce(String bootstrap, Properties client) throws Exception {
        Properties config = new Properties();
        config.putAll(client);
        config.put("bootstrap.servers", bootstrap);
        try (Admin admin = Admin.create(config)) {
            admin.createTopics(List.of(new NewTopic("orders", 2, (short) 1))).all().get();
        }
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config)) {
            for (int partition = 0; partition < 2; partition++) {
                for (int i = 0; i < RECORDS; i++) {
                    producer.send(
                                    new ProducerRecord<>(
                                            "orders",
                                            partition,
                                            null,
                                            ("record-" + i).getBytes(StandardCharsets.UTF_8)))
                            .get();
                }
            }
        }
    }
}
