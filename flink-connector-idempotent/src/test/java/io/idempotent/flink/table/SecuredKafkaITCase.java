package io.idempotent.flink.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.idempotent.flink.testutils.KafkaBrokerProcess;
import io.idempotent.flink.testutils.SaslSslKafkaBroker;
import io.idempotent.flink.testutils.TestCertificates;
import io.idempotent.flink.testutils.Traces;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A SQL source table reads a Kafka topic on a broker (a process of its own) that accepts only
 * clients authenticated with SASL PLAIN over TLS (SASL_SSL; a certificate made by keytool, which
 * the client trusts through its trust store), given the client's security settings as {@code
 * stream.kafka.properties.*}; a wrong password fails the query without printing the JAAS
 * configuration or any store password.
 */
class SecuredKafkaITCase {

    @RegisterExtension static final MiniClusterExtension CLUSTER = new MiniClusterExtension();

    private static final String TOPIC = "secured-orders";
    private static final int PER_PARTITION = 40;
    private static final String PASSWORD = "app-s3cr3t";

    @TempDir static Path dir;
    private static TestCertificates certificates;
    private static KafkaBrokerProcess broker;

    @BeforeAll
    static void startBroker() throws Exception {
        certificates = TestCertificates.create(dir);
        broker = SaslSslKafkaBroker.start(dir.resolve("broker"), certificates, PASSWORD);
        Properties client = client(PASSWORD);
        client.put("bootstrap.servers", broker.bootstrapServers());
        try (Admin admin = Admin.create(client)) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 1))).all().get();
        }
        client.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        client.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(client)) {
            for (int partition = 0; partition < 2; partition++) {
                for (int i = 0; i < PER_PARTITION; i++) {
                    String json = String.format("{\"id\": %d}", partition * 1000 + i);
                    producer.send(
                                    new ProducerRecord<>(
                                            TOPIC,
                                            partition,
                                            null,
                                            json.getBytes(StandardCharsets.UTF_8)))
                            .get();
                }
            }
        }
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    private static Properties client(String password) {
        Properties client = new Properties();
        client.put("security.protocol", "SASL_SSL");
        client.put("sasl.mechanism", "PLAIN");
        client.put("sasl.jaas.config", jaas(password));
        client.put("ssl.truststore.location", certificates.clientTrustStore().toString());
        client.put("ssl.truststore.password", TestCertificates.PASSWORD);
        client.put("ssl.truststore.type", "PKCS12");
        return client;
    }

    private static String jaas(String password) {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required"
                + " username=\""
                + SaslSslKafkaBroker.USER
                + "\" password=\""
                + password
                + "\";";
    }

    private static TableEnvironment table(String password) {
        TableEnvironment tables = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        tables.executeSql(
                "CREATE TABLE orders (id BIGINT,"
                        + " part STRING METADATA FROM 'partition' VIRTUAL,"
                        + " seq BIGINT METADATA FROM 'sequence' VIRTUAL) WITH ("
                        + " 'connector' = 'idempotent', 'stream' = 'kafka',"
                        + " 'stream.kafka.bootstrap-servers' = '"
                        + broker.bootstrapServers()
                        + "', 'stream.kafka.topic' = '"
                        + TOPIC
                        + "', 'stream.kafka.properties.security.protocol' = 'SASL_SSL',"
                        + " 'stream.kafka.properties.sasl.mechanism' = 'PLAIN',"
                        + " 'stream.kafka.properties.sasl.jaas.config' = '"
                        + jaas(password).replace("'", "''")
                        + "', 'stream.kafka.properties.ssl.truststore.location' = '"
                        + certificates.clientTrustStore()
                        + "', 'stream.kafka.properties.ssl.truststore.password' = '"
                        + TestCertificates.PASSWORD
                        + "', 'stream.kafka.properties.ssl.truststore.type' = 'PKCS12',"
                        + " 'format' = 'json', 'scan.bounded' = 'true',"
                        + " 'scan.partition-discovery.interval' = '0 s')");
        return tables;
    }

    /** Proves design.md row F39: every record of the secured topic once, in order. */
    @Test
    void readsATopicOnASaslBrokerWithTheClientPropertiesOfTheTable() throws Exception {
        Map<String, List<Long>> sequences = new LinkedHashMap<>();
        List<Long> ids = new ArrayList<>();
        try (CloseableIterator<Row> rows =
                table(PASSWORD).executeSql("SELECT id, part, seq FROM orders").collect()) {
            rows.forEachRemaining(
                    row -> {
                        ids.add((Long) row.getField(0));
                        sequences
                                .computeIfAbsent((String) row.getField(1), p -> new ArrayList<>())
                                .add((Long) row.getField(2));
                    });
        }
        assertThat(ids).hasSize(2 * PER_PARTITION).doesNotHaveDuplicates();
        List<Long> expected = new ArrayList<>();
        for (long offset = 0; offset < PER_PARTITION; offset++) {
            expected.add(offset);
        }
        assertThat(sequences).containsOnlyKeys("0", "1");
        assertThat(sequences.get("0")).containsExactlyElementsOf(expected);
        assertThat(sequences.get("1")).containsExactlyElementsOf(expected);
    }

    /** Proves design.md row F39: a wrong password fails, and no password is printed. */
    @Test
    void aWrongPasswordFailsWithoutPrintingTheJaasConfiguration() {
        assertThatThrownBy(
                        () -> {
                            try (CloseableIterator<Row> rows =
                                    table("wrong-s3cr3t")
                                            .executeSql("SELECT id FROM orders")
                                            .collect()) {
                                rows.forEachRemaining(row -> {});
                            }
                        })
                .hasStackTraceContaining("Authentication failed")
                .satisfies(
                        e -> {
                            assertThat(Traces.text(e))
                                    .doesNotContain("wrong-s3cr3t")
                                    .doesNotContain(TestCertificates.PASSWORD);
                        });
    }
}
