package io.idempotent.flink.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.idempotent.flink.checkpoint.PendingCheckpoint;
import io.idempotent.flink.destination.DestinationFactory;
import io.idempotent.flink.destination.http.HttpDestination;
import io.idempotent.flink.source.StartingPosition;
import io.idempotent.flink.testutils.ExactlyOnceVerifier;
import io.idempotent.flink.testutils.IdempotentHttpServer;
import io.idempotent.flink.testutils.IdempotentHttpServer.SuccessBody;
import io.idempotent.flink.testutils.OriginLine;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The end-to-end cases into a real HTTP server with idempotency keys; the verifier reads the
 * server's log of applied lines.
 */
class HttpSinkExactlyOnceITCase extends ExactlyOnceSinkITCaseBase {

    private IdempotentHttpServer server;

    @BeforeEach
    void startServer() throws Exception {
        server = new IdempotentHttpServer();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Override
    DestinationFactory<String> destination() {
        return HttpDestination.<String>builder()
                .url(server.url())
                .encoder(s -> s.getBytes(StandardCharsets.UTF_8))
                .requestTimeout(Duration.ofMillis(300))
                .maxAttempts(5)
                .backoff(Duration.ofMillis(10), Duration.ofMillis(100))
                .buildFactory();
    }

    @Override
    List<ExactlyOnceVerifier.Origin> holdings() {
        List<ExactlyOnceVerifier.Origin> origins = new ArrayList<>();
        for (String line : server.applied()) {
            origins.add(OriginLine.parse(line));
        }
        return origins;
    }

    @Override
    void assertResent(List<PendingCheckpoint> pending) {
        for (PendingCheckpoint replayed : pending) {
            assertThat(server.hasKey(replayed.batchId().value()))
                    .as("re-sent " + replayed)
                    .isTrue();
        }
    }

    /**
     * Proves design.md row F4 with a real timeout: the server applies batches and then stalls past
     * the client's timeout, and answers some requests with 503 and 429.
     */
    @Test
    void aServerThatAppliesThenTimesOutGetsEachBatchOnce() throws Exception {
        server.stallAfterApplying(3, 1_000);
        server.failNext(2, 2);
        run(StartingPosition.EARLIEST, 2);
        assertExactlyOnce();
    }

    /**
     * Proves design.md row F36 end to end: every success's body trickles for a minute, or streams
     * 512 MiB; the job delivers everything exactly once well before a single body would end, and
     * the server could write only what fits the connections' buffers.
     */
    @ParameterizedTest
    @EnumSource(
            value = SuccessBody.class,
            names = {"TRICKLE", "HUGE"})
    void successBodiesThatTrickleOrNeverEndNeitherHangNorFillTheHeap(SuccessBody body)
            throws Exception {
        server.successBody(body);
        long started = System.nanoTime();
        run(StartingPosition.EARLIEST, 2);
        assertThat(Duration.ofNanos(System.nanoTime() - started))
                .isLessThan(Duration.ofSeconds(50));
        assertExactlyOnce();
        assertThat(server.bodyBytesWritten() / Math.max(1, server.requests()))
                .as("body bytes written per response")
                // Bodies of 512 MiB: what was written is what the connection's buffers took.
                .isLessThan(32L * 1024 * 1024);
    }

    /**
     * Proves design.md row F37 for HTTP: a batch of several elements that the server refuses for
     * good (400) stops the job at once, without the five restarts the cluster allows, naming the
     * batch; the server saw the refused request once.
     */
    @Test
    void aBatchRefusedForGoodStopsTheJobWithoutRestartsNamingIt() {
        long poison = expected().get("0").get(10);
        server.refuseLines(line -> line.startsWith("0:" + poison + " "), 400);
        assertThatThrownBy(() -> run(StartingPosition.EARLIEST, 2))
                .hasStackTraceContaining(SuppressRestartsException.class.getName())
                .hasStackTraceContaining("the destination refuses batch " + SINK + "/")
                .hasStackTraceContaining("HTTP 400");
        assertThat(server.refusals()).isEqualTo(1);
        assertThat(server.applied()).noneMatch(line -> line.startsWith("0:" + poison + " "));
    }

    /**
     * Proves design.md row F37 for HTTP: a one-element batch the server refuses for good (413) goes
     * to the dead letters exactly once, and every other record arrives exactly once, in order.
     */
    @Test
    void anElementRefusedForGoodGoesToTheDeadLettersOnce() throws Exception {
        Map<String, List<Long>> expected = new TreeMap<>(expected());
        long poison = expected.get("0").get(10);
        List<Long> rest = new ArrayList<>(expected.get("0"));
        rest.remove(poison);
        expected.put("0", rest);
        server.refuseLines(line -> line.startsWith("0:" + poison + " "), 413);
        batchMaxRecords = 1;
        try (IdempotentHttpServer letters = new IdempotentHttpServer()) {
            deadLetters =
                    HttpDestination.<DeadLetter<String>>builder()
                            .url(letters.url())
                            .encoder(ExactlyOnceSinkITCaseBase::letterLine)
                            .buildFactory();
            run(StartingPosition.EARLIEST, 2);
            ExactlyOnceVerifier.Result result = ExactlyOnceVerifier.verify(expected, holdings());
            assertThat(result.exactlyOnce()).as(result.toString()).isTrue();
            assertThat(letters.applied()).hasSize(1);
            assertThat(letters.applied().get(0))
                    .startsWith("0:" + poison + " ")
                    .contains("HTTP 413");
        }
    }

    /**
     * Proves design.md row F37 for HTTP without dead letters: the one-element batch refused for
     * good stops the job without restarts, naming the record's stream, partition and sequence.
     */
    @Test
    void anElementRefusedForGoodWithoutDeadLettersStopsNamingTheRecord() {
        long poison = expected().get("0").get(10);
        server.refuseLines(line -> line.startsWith("0:" + poison + " "), 413);
        batchMaxRecords = 1;
        assertThatThrownBy(() -> run(StartingPosition.EARLIEST, 2))
                .hasStackTraceContaining(SuppressRestartsException.class.getName())
                .hasStackTraceContaining("#" + poison + " (stream/partition#sequence)")
                .hasStackTraceContaining("HTTP 413");
        assertThat(server.refusals()).isEqualTo(1);
    }
}
