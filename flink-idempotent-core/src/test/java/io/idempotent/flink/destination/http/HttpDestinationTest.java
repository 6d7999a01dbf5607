package io.idempotent.flink.destination.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.idempotent.flink.destination.Batch;
import io.idempotent.flink.destination.IdempotentDestination;
import io.idempotent.flink.destination.PoisonElementException;
import io.idempotent.flink.destination.RefusedBatchException;
import io.idempotent.flink.destination.SendOutcome;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import io.idempotent.flink.testutils.IdempotentHttpServer;
import io.idempotent.flink.testutils.IdempotentHttpServer.SuccessBody;
import io.idempotent.flink.testutils.TestCertificates;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

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
                        .allowCredentialsOverHttp(true)
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

    /**
     * Proves design.md row F36: a success whose body trickles for a minute or streams 512 MiB is
     * neither waited for nor held; the server could write only what fits the connection's buffers
     * before the client closed it.
     */
    @ParameterizedTest
    @EnumSource(
            value = SuccessBody.class,
            names = {"TRICKLE", "HUGE"})
    void aSuccessBodyThatTricklesOrNeverEndsIsNeitherWaitedForNorHeld(SuccessBody body) {
        server.successBody(body);
        IdempotentDestination<String> destination = destination(Duration.ofSeconds(5));
        assertTimeoutPreemptively(
                Duration.ofSeconds(10),
                () -> {
                    assertThat(destination.send(batch)).isEqualTo(SendOutcome.APPLIED);
                    assertThat(destination.send(batch)).isEqualTo(SendOutcome.REPEAT_DROPPED);
                });
        assertThat(server.applied()).containsExactly("{\"a\":1}", "{\"a\":2}");
        assertThat(server.requests()).isEqualTo(2);
        // Two bodies of 512 MiB: what was written is what the connections' buffers took.
        assertThat(server.bodyBytesWritten()).isLessThan(64L * 1024 * 1024);
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

    private HttpDestinationBuilder<String> builder(String url) {
        return HttpDestination.<String>builder()
                .url(url)
                .encoder(s -> s.getBytes(StandardCharsets.UTF_8))
                .requestTimeout(Duration.ofSeconds(5))
                .maxAttempts(3)
                .backoff(Duration.ofMillis(10), Duration.ofMillis(50));
    }

    /**
     * Proves design.md row F36: a 200 that is not the API's (a proxy's login page) fails the
     * response check and is a failed send, never a commit; without a check it would count as
     * applied although nothing was.
     */
    @Test
    void aSuccessThatFailsTheResponseCheckIsAFailedSendNotACommit() throws Exception {
        server.loginPageNext(10);
        IdempotentDestination<String> checked =
                builder(server.url()).requireEchoedIdempotencyKey().buildFactory().create();
        assertThatThrownBy(() -> checked.send(batch))
                .hasMessageContaining("failed 3 times")
                .hasMessageContaining("HTTP 200 without the echoed Idempotency-Key header");
        assertThat(server.applied()).isEmpty();

        server.loginPageNext(1);
        IdempotentDestination<String> header =
                builder(server.url())
                        .requireResponseHeader("Idempotency-Key")
                        .buildFactory()
                        .create();
        assertThat(header.send(batch)).isEqualTo(SendOutcome.APPLIED);
        assertThat(server.applied()).hasSize(2);

        server.loginPageNext(1);
        Batch<String> other =
                Batch.of(batch.partition(), SequenceRange.of(2, 2), List.of("{\"a\":3}"));
        assertThat(builder(server.url()).buildFactory().create().send(other))
                .as("unchecked, the login page counts as applied")
                .isEqualTo(SendOutcome.APPLIED);
        assertThat(server.applied()).hasSize(2);
    }

    @Test
    void successStatusesAreTheUsersToSay() {
        IdempotentDestination<String> created =
                builder(server.url()).successStatuses("201,202").buildFactory().create();
        assertThatThrownBy(() -> created.send(batch))
                .hasMessageContaining("HTTP 200")
                .hasMessageContaining("Not retried");
        assertThat(server.requests()).isEqualTo(1);
        assertThatThrownBy(() -> builder(server.url()).successStatuses("2xx,abc").buildFactory())
                .hasMessage(
                        "The success statuses: 'abc' is not an HTTP status, a range such as"
                                + " 200-204 or a class such as 2xx (in '2xx,abc').");
        assertThatThrownBy(() -> builder(server.url()).successStatuses("200-404").buildFactory())
                .hasMessageContaining("share a status");
    }

    /**
     * Proves design.md row F37 at the destination: a permanent status refuses a batch of several
     * elements as a batch, a batch of one as its element, each after one request; a status outside
     * the permanent ones (401) fails the send at once as before; a configured set replaces the
     * default.
     */
    @Test
    void aPermanentRefusalIsTheBatchsOrItsOnlyElements() throws Exception {
        server.refuseLines(line -> line.contains("\"a\":"), 413);
        IdempotentDestination<String> destination = builder(server.url()).buildFactory().create();
        assertThatThrownBy(() -> destination.send(batch))
                .isInstanceOf(RefusedBatchException.class)
                .hasMessageContaining("refused batch orders/1/0-1 (2 elements) with HTTP 413")
                .hasMessageContaining("sink.batch.max-bytes");
        Batch<String> one =
                Batch.of(batch.partition(), SequenceRange.of(5, 5), List.of("{\"a\":5}"));
        assertThatThrownBy(() -> destination.send(one))
                .isInstanceOfSatisfying(
                        PoisonElementException.class,
                        e -> {
                            assertThat(e.index()).isZero();
                            assertThat(e.reason()).contains("HTTP 413");
                        });
        assertThat(server.refusals()).isEqualTo(2);

        server.refuseLines(line -> true, 401);
        assertThatThrownBy(() -> destination.send(batch))
                .isNotInstanceOf(RefusedBatchException.class)
                .hasMessageContaining("HTTP 401")
                .hasMessageContaining("Not retried");
        IdempotentDestination<String> permanent401 =
                builder(server.url()).permanentErrorStatuses("401").buildFactory().create();
        assertThatThrownBy(() -> permanent401.send(batch))
                .isInstanceOf(RefusedBatchException.class);
        assertThat(server.refusals()).isEqualTo(4);
    }

    /**
     * Proves design.md row F38: credentials are refused over plain http:// unless allowed, named
     * without their value; every URL in a builder message is redacted.
     */
    @Test
    void credentialsOverPlainHttpAreRefusedUnlessAllowed() throws Exception {
        assertThatThrownBy(
                        () ->
                                builder("http://api.example/b")
                                        .header("Authorization", "Bearer s3cr3t")
                                        .buildFactory())
                .hasMessageStartingWith(
                        "The HTTP destination would send a credential (the header"
                                + " 'Authorization') over plain http:// to 'http://api.example/b'")
                .hasMessageContaining("allowCredentialsOverHttp(true)")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cr3t"));
        assertThatThrownBy(() -> builder("http://user:pw-s3cr3t@api.example/b").buildFactory())
                .hasMessageContaining("the URL's user info")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cr3t"));
        assertThatThrownBy(() -> builder("http://api.example/b?api_token=s3cr3t").buildFactory())
                .hasMessageContaining("query parameter 'api_token'")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cr3t"));
        assertThatThrownBy(() -> builder("ftp://u:s3cr3t@host/x?token=s3cr3t").buildFactory())
                .hasMessageContaining("needs an http:// or https:// URL")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cr3t"));
        // Not credentials: fine over http://.
        builder("http://api.example/b?tenant=7").header("X-Tenant", "7").buildFactory();
        builder("https://api.example/b").header("Authorization", "Bearer s3cr3t").buildFactory();
        IdempotentDestination<String> allowed =
                builder(server.url())
                        .header("Authorization", "Bearer s3cr3t")
                        .allowCredentialsOverHttp(true)
                        .buildFactory()
                        .create();
        assertThat(allowed.send(batch)).isEqualTo(SendOutcome.APPLIED);
    }

    /**
     * Proves design.md row F38: HTTPS against a server whose certificate the JVM does not trust
     * works with the destination's trust store and fails without it; a server that requires a
     * client certificate takes the destination's key store (mutual TLS); a store that cannot be
     * opened is named, its password never.
     */
    @Test
    void httpsWithItsOwnTrustStoreAndClientCertificate(@TempDir Path dir) throws Exception {
        TestCertificates certificates = TestCertificates.create(dir);
        String trust = certificates.clientTrustStore().toString();
        String key = certificates.clientKeyStore().toString();
        try (IdempotentHttpServer https =
                        new IdempotentHttpServer(true, certificates.serverContext(), false);
                IdempotentHttpServer mutual =
                        new IdempotentHttpServer(true, certificates.serverContext(), true)) {
            assertThat(https.url()).startsWith("https://");
            assertThatThrownBy(() -> builder(https.url()).buildFactory().create().send(batch))
                    .hasMessageContaining("failed 3 times");
            assertThat(
                            builder(https.url())
                                    .header("Authorization", "Bearer over-tls")
                                    .trustStore(trust, TestCertificates.PASSWORD)
                                    .buildFactory()
                                    .create()
                                    .send(batch))
                    .isEqualTo(SendOutcome.APPLIED);
            assertThat(https.lastHeader("Authorization")).isEqualTo("Bearer over-tls");

            assertThatThrownBy(
                            () ->
                                    builder(mutual.url())
                                            .trustStore(trust, TestCertificates.PASSWORD)
                                            .buildFactory()
                                            .create()
                                            .send(batch))
                    .hasMessageContaining("failed 3 times");
            assertThat(mutual.applied()).isEmpty();
            assertThat(
                            builder(mutual.url())
                                    .trustStore(trust, TestCertificates.PASSWORD)
                                    .keyStore(key, TestCertificates.PASSWORD)
                                    .buildFactory()
                                    .create()
                                    .send(batch))
                    .isEqualTo(SendOutcome.APPLIED);
            assertThat(mutual.applied()).hasSize(2);
        }
        assertThatThrownBy(
                        () ->
                                builder("https://127.0.0.1:1/b")
                                        .trustStore(trust, "wrong-s3cr3t")
                                        .buildFactory()
                                        .create())
                .hasMessageContaining("trust store '" + trust + "' cannot be read")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("wrong-s3cr3t"));
    }
}
