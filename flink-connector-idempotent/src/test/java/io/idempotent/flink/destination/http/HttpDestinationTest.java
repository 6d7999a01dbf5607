package io.idempotent.flink.destination.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.idempotent.flink.destination.Batch;
import io.idempotent.flink.destination.IdempotentDestination;
import io.idempotent.flink.destination.SendOutcome;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import io.idempotent.flink.testutils.IdempotentHttpServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HttpDestinationTest {

    private final IdempotentHttpServer server = new IdempotentHttpServer();
    private final Batch<String> batch =
            Batch.of(
                    new StreamPartition("orders", "1"),
                    SequenceRange.of(0, 1),
                    List.of("{\"a\":1}", "{\"a\":2}"));

    HttpDestinationTest() throws Exception {}

    @AfterEach
    void stop() {
        server.close();
    }

    private IdempotentDestination<String> destination(Duration timeout) {
        return HttpDestination.<String>builder()
                .url(server.url())
                .encoder(s -> s.getBytes(StandardCharsets.UTF_8))
                .requestTimeout(timeout)
                .maxAttempts(4)
                .backoff(Duration.ofMillis(10), Duration.ofMillis(50))
                .buildFactory()
                .create();
    }

    @Test
    void postsJsonLinesUnderTheBatchIdentityAndSeesRepeats() throws Exception {
        IdempotentDestination<String> destination = destination(Duration.ofSeconds(5));
        assertThat(destination.send(batch)).isEqualTo(SendOutcome.APPLIED);
        assertThat(destination.send(batch)).isEqualTo(SendOutcome.REPEAT_DROPPED);
        assertThat(server.applied()).containsExactly("{\"a\":1}", "{\"a\":2}");
        assertThat(server.hasKey("orders/1/0-1")).isTrue();
    }

    @Test
    void retriesServerErrorsAndSlowsDownOn429() throws Exception {
        server.failNext(2, 1);
        assertThat(destination(Duration.ofSeconds(5)).send(batch)).isEqualTo(SendOutcome.APPLIED);
        assertThat(server.requests()).isEqualTo(4);
        assertThat(server.applied()).hasSize(2);
    }

    /** Proves design.md row F4 at the destination: applied, timed out, retried, dropped. */
    @Test
    void aTimeoutAfterTheServerAppliedIsRetriedAndTheRepeatDropped() throws Exception {
        server.stallAfterApplying(1, 1_000);
        assertThat(destination(Duration.ofMillis(200)).send(batch))
                .isEqualTo(SendOutcome.REPEAT_DROPPED);
        assertThat(server.applied()).hasSize(2);
    }

    @Test
    void otherClientErrorsFailAtOnceWithTheResponseBody() {
        server.refuseNext(1);
        assertThatThrownBy(() -> destination(Duration.ofSeconds(5)).send(batch))
                .hasMessageContaining("refused batch orders/1/0-1")
                .hasMessageContaining("HTTP 400")
                .hasMessageContaining("field 'amount' is required");
        assertThat(server.requests()).isEqualTo(1);
    }

    /** Proves design.md row F17: 409 (the same key still in progress) is retried with backoff. */
    @Test
    void aKeyStillInProgressIsRetried() throws Exception {
        server.inProgressNext(2);
        assertThat(destination(Duration.ofSeconds(5)).send(batch)).isEqualTo(SendOutcome.APPLIED);
        assertThat(server.requests()).isEqualTo(3);
    }

    /**
     * Proves design.md row F17: 422 (the key reused with another payload) fails at once, naming the
     * batch and the cause: processing that is not deterministic.
     */
    @Test
    void aKeyReusedWithAnotherPayloadFailsNamingTheBatch() throws Exception {
        IdempotentDestination<String> destination = destination(Duration.ofSeconds(5));
        destination.send(batch);
        Batch<String> changed =
                new Batch<>(
                        batch.id(), batch.partition(), batch.range(), List.of("{\"a\":3}"), null);
        assertThatThrownBy(() -> destination.send(changed))
                .hasMessageContaining("HTTP 422")
                .hasMessageContaining("batch orders/1/0-1")
                .hasMessageContaining("another payload under the same key")
                .hasMessageContaining("deterministic");
        assertThat(server.requests()).isEqualTo(2);
    }

    /** Proves design.md row F17: a server's Retry-After is capped at the longest backoff. */
    @Test
    void retryAfterIsCappedAtTheLongestBackoff() {
        server.failNext(0, 1);
        server.retryAfter("3600");
        assertTimeoutPreemptively(
                Duration.ofSeconds(10),
                () ->
                        assertThat(destination(Duration.ofSeconds(5)).send(batch))
                                .isEqualTo(SendOutcome.APPLIED));
    }

    /**
     * Proves design.md row F17: request headers are sent; neither a header's value nor the URL's
     * query (a token) appears in an error message or in the destination's description.
     */
    @Test
    void headersAreSentAndSecretsStayOutOfMessages() {
        IdempotentDestination<String> destination =
                HttpDestination.<String>builder()
                        .url(server.url() + "?token=url-secret")
                        .header("Authorization", "Bearer header-secret")
                        .encoder(s -> s.getBytes(StandardCharsets.UTF_8))
                        .maxAttempts(2)
                        .backoff(Duration.ofMillis(10), Duration.ofMillis(50))
                        .buildFactory()
                        .create();
        server.refuseNext(1);
        assertThatThrownBy(() -> destination.send(batch))
                .hasMessageContaining("HTTP 400")
                .hasMessageContaining(server.url())
                .satisfies(
                        e ->
                                assertThat(e.getMessage())
                                        .doesNotContain("url-secret")
                                        .doesNotContain("header-secret"));
        assertThat(server.lastHeader("Authorization")).isEqualTo("Bearer header-secret");
        assertThat(destination.toString())
                .doesNotContain("url-secret")
                .doesNotContain("header-secret");
    }

    @Test
    void givesUpAfterMaxAttemptsSayingWhat() {
        server.failNext(10, 0);
        assertThatThrownBy(() -> destination(Duration.ofSeconds(5)).send(batch))
                .hasMessageContaining("failed 4 times")
                .hasMessageContaining("HTTP 503")
                .hasMessageContaining("stays pending");
    }

    @Test
    void builderRejectsWrongConfiguration() {
        assertThatThrownBy(() -> HttpDestination.<String>builder().url("ftp://x").buildFactory())
                .hasMessage(
                        "The HTTP destination needs an http:// or https:// URL, but got 'ftp://x'.");
        assertThatThrownBy(() -> HttpDestination.<String>builder().url("http://x").buildFactory())
                .hasMessageContaining("needs an encoder");
    }
}
