package io.idempotent.flink.examples.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.util.ParameterTool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job jar's secrets and Kafka client settings come from files, not from its arguments. */
class ClusterJobTest {

    @TempDir Path dir;

    @Test
    void thePasswordComesFromAFileOrTheEnvironment() throws Exception {
        Path file = dir.resolve("password");
        Files.writeString(file, "file-s3cr3t\nignored\n");
        assertThat(
                        ClusterJob.password(
                                ParameterTool.fromArgs(
                                        new String[] {"--jdbc-password-file", file.toString()})))
                .isEqualTo("file-s3cr3t");
        String someVariable = System.getenv().keySet().iterator().next();
        assertThat(
                        ClusterJob.password(
                                ParameterTool.fromArgs(
                                        new String[] {"--jdbc-password-env", someVariable})))
                .isEqualTo(System.getenv(someVariable));
        assertThatThrownBy(
                        () ->
                                ClusterJob.password(
                                        ParameterTool.fromArgs(
                                                new String[] {
                                                    "--jdbc-password-env", "IDEMPOTENT_NO_SUCH_VAR"
                                                })))
                .hasMessageContaining("'IDEMPOTENT_NO_SUCH_VAR' is not set");
        assertThatThrownBy(
                        () ->
                                ClusterJob.password(
                                        ParameterTool.fromArgs(
                                                new String[] {
                                                    "--jdbc-password-file",
                                                    file.toString(),
                                                    "--jdbc-password",
                                                    "x"
                                                })))
                .hasMessageContaining("Give the password one way");
        assertThatThrownBy(
                        () ->
                                ClusterJob.password(
                                        ParameterTool.fromArgs(
                                                new String[] {
                                                    "--jdbc-password-file",
                                                    dir.resolve("missing").toString()
                                                })))
                .hasMessageContaining("is not a readable file");
    }

    @Test
    void kafkaClientSettingsComeFromAPropertiesFile() throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(
                file,
                "security.protocol=SASL_SSL\n"
                        + "sasl.mechanism=SCRAM-SHA-512\n"
                        + "ssl.truststore.location=/etc/kafka/trust.p12\n");
        assertThat(
                        ClusterJob.kafkaProperties(
                                ParameterTool.fromArgs(
                                        new String[] {"--kafka-properties", file.toString()})))
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("ssl.truststore.location", "/etc/kafka/trust.p12");
        assertThat(ClusterJob.kafkaProperties(ParameterTool.fromArgs(new String[0]))).isEmpty();
    }
}
