package io.idempotent.flink.tools;

import io.idempotent.flink.stream.PartitionedStream;
import io.idempotent.flink.stream.kafka.KafkaPartitionedStream;
import io.idempotent.flink.stream.local.LocalStream;
import io.idempotent.flink.util.Secrets;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Which stream a tool looks at: a local stream's directory or a Kafka topic; optional. */
final class StreamOptions {

    @Option(names = "--stream", description = "A local stream's directory.")
    Path directory;

    @Option(
            names = "--kafka-bootstrap-servers",
            description = "The Kafka brokers of --topic, host:port[,...].")
    String bootstrapServers;

    @Option(names = "--topic", description = "A Kafka topic.")
    String topic;

    @Option(
            names = "--kafka-properties",
            description =
                    "A Java properties file with the Kafka client's settings (security.protocol,"
                            + " sasl.*, ssl.*).")
    Path kafkaProperties;

    /** Whether a stream was named. */
    boolean named() {
        return directory != null || topic != null || bootstrapServers != null;
    }

    /** Opens the named stream read-only, or returns {@code null} if none was named. */
    PartitionedStream open() throws IOException {
        if (directory != null && (topic != null || bootstrapServers != null)) {
            throw new IllegalArgumentException(
                    "Name one stream: --stream DIR (local) or --kafka-bootstrap-servers and"
                            + " --topic (Kafka).");
        }
        if (directory != null) {
            return LocalStream.openReadOnly(directory);
        }
        if (topic == null && bootstrapServers == null) {
            return null;
        }
        if (topic == null || bootstrapServers == null) {
            throw new IllegalArgumentException(
                    "A Kafka stream needs both --kafka-bootstrap-servers and --topic.");
        }
        return KafkaPartitionedStream.factory(
                        bootstrapServers,
                        topic,
                        Secrets.properties("--kafka-properties", kafkaProperties))
                .open();
    }
}
