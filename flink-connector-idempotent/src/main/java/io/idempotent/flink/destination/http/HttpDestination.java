package io.idempotent.flink.destination.http;

import io.idempotent.flink.destination.Batch;
import io.idempotent.flink.destination.IdempotentDestination;
import io.idempotent.flink.destination.SendOutcome;
import io.idempotent.flink.destination.UnencodableElementException;
import io.idempotent.flink.util.Redact;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.flink.annotation.PublicEvolving;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs each batch as JSON lines ({@code application/x-ndjson}) with an {@code Idempotency-Key}
 * header that carries the batch identity.
 *
 * <p>Retries, with exponential backoff and full jitter, on 5xx responses, 409 (a request with the
 * same key still in progress), timeouts and connection errors; waits as the server asks ({@code
 * Retry-After}, at most the longest backoff) on 429; fails at once on 422 (the key was used with
 * another payload: processing is not deterministic) and other 4xx, with the response body in the
 * error. Headers set on the builder (credentials) are sent with every request; neither they nor the
 * URL's user info and query appear in a message or a log line. A 2xx response with {@code
 * Idempotent-Replayed: true} counts as a repeat the server dropped.
 *
 * <p>For exactly-once the server must apply each {@code Idempotency-Key} at most once (answering a
 * repeat with 2xx and no effect), atomically per request, and remember keys at least as long as a
 * batch can stay pending. A server that ignores the header gets at-least-once.
 *
 * <pre>{@code
 * DestinationFactory<String> api =
 *         HttpDestination.<String>builder()
 *                 .url("https://api.example.com/v1/events:batch")
 *                 .encoder(json -> json.getBytes(UTF_8))
 *                 .buildFactory();
 * }</pre>
 */
@PublicEvolving
public final class HttpDestination<T> implements IdempotentDestination<T> {

    private static final Logger LOG = LoggerFactory.getLogger(HttpDestination.class);
    private static final int MAX_BODY_IN_ERROR = 1024;

    private final HttpClient client;
    private final HttpDestinationBuilder.Settings<T> settings;

    /** The URL as messages and logs show it: without user info or query, which may hold secrets. */
    private final String where;

    HttpDestination(HttpDestinationBuilder.Settings<T> settings) {
        this.settings = settings;
        this.where = Redact.url(settings.url.toString());
        this.client =
                HttpClient.newBuilder()
                        .connectTimeout(settings.requestTimeout)
                        .version(HttpClient.Version.HTTP_1_1)
                        .build();
    }

    public static <T> HttpDestinationBuilder<T> builder() {
        return new HttpDestinationBuilder<>();
    }

    @Override
    public SendOutcome send(Batch<T> batch) throws IOException, InterruptedException {
        HttpRequest.Builder builder =
                HttpRequest.newBuilder(settings.url)
                        .timeout(settings.requestTimeout)
                        .header("Content-Type", "application/x-ndjson")
                        .header("Idempotency-Key", batch.id().value());
        settings.headers.forEach(builder::header);
        HttpRequest request =
                builder.POST(HttpRequest.BodyPublishers.ofByteArray(body(batch))).build();
        Duration backoff = settings.initialBackoff;
        for (int attempt = 1; ; attempt++) {
            String problem;
            Duration wait = jitter(backoff);
            try {
                HttpResponse<String> response =
                        client.send(request, HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status >= 200 && status < 300) {
                    boolean replayed =
                            response.headers()
                                    .firstValue("Idempotent-Replayed")
                                    .map("true"::equalsIgnoreCase)
                                    .orElse(false);
                    return replayed ? SendOutcome.REPEAT_DROPPED : SendOutcome.APPLIED;
                }
                problem = "HTTP " + status + ": " + truncate(response.body());
                if (status == 429) {
                    wait = min(retryAfter(response).orElse(wait), settings.maxBackoff);
                } else if (status == 422) {
                    throw new RefusedException(
                            String.format(
                                    "%s refused batch %s (%d elements) with %s: the server holds"
                                            + " another payload under the same key. A batch"
                                            + " identity must always stand for the same elements:"
                                            + " the processing between source and sink is not"
                                            + " deterministic (time, randomness, external lookups)"
                                            + " or it changed since the batch was first sent. Make"
                                            + " it deterministic; the batch stays pending.",
                                    where, batch.id(), batch.elements().size(), problem));
                } else if (status != 409 && status < 500) {
                    // 409: a request with the same key is still in progress; retried below.
                    throw new RefusedException(
                            String.format(
                                    "%s refused batch %s (%d elements) with %s. Not retried: fix"
                                            + " the request or the server, then restart the job;"
                                            + " the batch stays pending.",
                                    where, batch.id(), batch.elements().size(), problem));
                }
            } catch (RefusedException e) {
                throw e;
            } catch (IOException e) {
                problem = e.getClass().getSimpleName() + ": " + e.getMessage();
            }
            if (attempt >= settings.maxAttempts) {
                throw new IOException(
                        String.format(
                                "Sending batch %s to %s failed %d times; last: %s. The batch stays"
                                        + " pending and is re-sent under the same key.",
                                batch.id(), where, attempt, problem));
            }
            LOG.warn(
                    "Sending batch {} to {} failed (attempt {} of {}): {}; retrying in {} ms",
                    batch.id(),
                    where,
                    attempt,
                    settings.maxAttempts,
                    problem,
                    wait.toMillis());
            Thread.sleep(wait.toMillis());
            backoff = min(backoff.multipliedBy(2), settings.maxBackoff);
        }
    }

    @Override
    public String toString() {
        return "HttpDestination{" + where + "}";
    }

    /** A response that retrying cannot change. */
    private static final class RefusedException extends IOException {
        private static final long serialVersionUID = 1L;

        RefusedException(String message) {
            super(message);
        }
    }

    private byte[] body(Batch<T> batch) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        List<T> elements = batch.elements();
        for (int i = 0; i < elements.size(); i++) {
            byte[] line;
            try {
                line = settings.encoder.encode(elements.get(i));
            } catch (Exception e) {
                throw new UnencodableElementException(batch.id(), i, e);
            }
            body.write(line);
            body.write('\n');
        }
        return body.toByteArray();
    }

    private static Optional<Duration> retryAfter(HttpResponse<?> response) {
        return response.headers()
                .firstValue("Retry-After")
                .flatMap(
                        value -> {
                            try {
                                return Optional.of(
                                        Duration.ofSeconds(Long.parseLong(value.trim())));
                            } catch (NumberFormatException e) {
                                return Optional.empty();
                            }
                        });
    }

    private static Duration jitter(Duration backoff) {
        return Duration.ofMillis(ThreadLocalRandom.current().nextLong(backoff.toMillis() + 1));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static String truncate(String body) {
        String text = body == null ? "" : body.strip();
        return text.length() <= MAX_BODY_IN_ERROR
                ? text
                : text.substring(0, MAX_BODY_IN_ERROR) + "… (" + text.length() + " characters)";
    }
}
