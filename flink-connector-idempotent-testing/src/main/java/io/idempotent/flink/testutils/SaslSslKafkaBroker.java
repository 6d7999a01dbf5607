package io.idempotent.flink.testutils;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A Kafka broker whose only client listener is SASL_SSL (PLAIN over TLS), in a process of its own
 * ({@link #start}): a second broker in the test JVM would share, and on closing remove, the first
 * one's metrics. Its one user is {@link #USER} with the password given; its certificate and trust
 * store are {@link TestCertificates}' server stores.
 */
public final class SaslSslKafkaBroker {

    public static final String USER = "app";

    private SaslSslKafkaBroker() {}

    /** Starts the broker's process; close the result to stop it. */
    public static KafkaBrokerProcess start(Path dir, TestCertificates certificates, String password)
            throws Exception {
        return KafkaBrokerProcess.start(
                dir,
                System.getProperty("java.class.path"),
                List.of("-Xmx512m"),
                SaslSslKafkaBroker.class,
                List.of(
                        certificates.serverKeyStore().toString(),
                        certificates.clientTrustStore().toString(),
                        password));
    }

    /** {@code ready keyStore trustStore password}. */
    public static void main(String[] args) throws Exception {
        String password = args[3];
        // The test kit opens only PLAINTEXT or SASL_PLAINTEXT listeners itself: its broker's
        // listener is made SASL_SSL by the broker's own properties, which it applies last.
        Map<String, String> secure = new HashMap<>();
        secure.put("listener.security.protocol.map", "EXTERNAL:SASL_SSL,CONTROLLER:PLAINTEXT");
        secure.put("sasl.enabled.mechanisms", "PLAIN");
        secure.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
        secure.put(
                "listener.name.external.plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                        + USER
                        + "\" password=\""
                        + password
                        + "\" user_"
                        + USER
                        + "=\""
                        + password
                        + "\";");
        secure.put("ssl.keystore.location", args[1]);
        secure.put("ssl.keystore.password", TestCertificates.PASSWORD);
        secure.put("ssl.key.password", TestCertificates.PASSWORD);
        secure.put("ssl.keystore.type", "PKCS12");
        secure.put("ssl.truststore.location", args[2]);
        secure.put("ssl.truststore.password", TestCertificates.PASSWORD);
        secure.put("ssl.truststore.type", "PKCS12");
        KafkaClusterTestKit broker =
                new KafkaClusterTestKit.Builder(
                                new TestKitNodes.Builder()
                                        .setNumBrokerNodes(1)
                                        .setNumControllerNodes(1)
                                        .setPerServerProperties(Map.of(0, secure))
                                        .build())
                        .setConfigProp("offsets.topic.replication.factor", "1")
                        .build();
        broker.format();
        broker.startup();
        broker.waitForReadyBrokers();
        KafkaBrokerProcess.serve(broker.bootstrapServers(), Path.of(args[0]));
    }
}
