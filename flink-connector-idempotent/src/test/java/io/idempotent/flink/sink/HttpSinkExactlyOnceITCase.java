package io.idempotent.flink.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.idempotent.flink.checkpoint.PendingCheckpoint;
import io.idempotent.flink.destination.DestinationFactory;
import io.idempotent.flink.destination.http.HttpDestination;
import io.idempotent.flink.source.StartingPosition;
import io.idempotent.flink.testutils.ExactlyOnceVerifier;
import io.idempotent.flink.testutils.IdempotentHttpServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

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
            origins.add(ExactlyOnceVerifier.Origin.parse(line.split(" ", 2)[0]));
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
}
