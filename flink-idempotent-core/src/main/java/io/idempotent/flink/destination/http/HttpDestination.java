package io.idempotent.flink.destination.http;

import io.idempotent.flink.destination.Batch;
import io.idempotent.flink.destination.IdempotentDestination;
import io.idempotent.flink.destination.PoisonElementException;
import io.idempotent.flink.destination.RefusedBatchException;
import io.idempotent.flink.destination.SendOutcome;
import io.idempotent.flink.destination.UnencodableElementException;
import io.idempotent.flink.util.Redact;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs each batch as JSON lines ({@code application/x-ndjson}) with an {@code Idempotency-Key}
 * header that carries the batch identity.
 *
 * <p>A batch counts as applied only on a success status (default 2xx) whose response passes the
 * configured checks (required headers, the echoed key); anything else is a failed send, never a
 * commit. Retries, with exponential backoff and full jitter, on 5xx, 408, 425, 409 (a request with
 * the same key still in progress), timeouts and connection errors; waits as the server asks ({@code
 * Retry-After}, at most the longest backoff) on 429. A permanent refusal (default 400, 404, 405,
 * 410, 413-415; and 422: the key was used with another payload) stops the job without restarts
 * naming the batch, or, for a batch of one element, is that element's ({@link
 * PoisonElementException}); other statuses fail the send at once.
 *
 * <p>One deadline covers each exchange, request to the end of the response: past it the attempt is
 * a timeout. A success's body is never held (at most 64 KiB of it is read, for at most 20 ms, to
 * keep the connection; otherwise the connection is closed); an error's body is kept up to 64 KiB
 * for the message. Headers set on the builder (credentials) are sent with every request and refused
 * over plain {@code http://} unless allowed; neither they nor the URL's user info and query appear
 * in a message or a log line. A success with {@code Idempotent-Replayed: true} counts as a repeat
 * the server dropped.
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

    /** What is kept of an error's body, and read of any body before the connection is closed. */
    private static final int MAX_BODY_READ = 64 * 1024;

    /** How long a success's body may take to end before its connection is closed instead. */
    private static final Duration SUCCESS_BODY_GRACE = Duration.ofMillis(20);

    private final HttpClient client;
    private final HttpDestinationBuilder.Settings<T> settings;

    /** The URL as messages and logs show it: without user info or query, which may hold secrets. */
    private final String where;

    HttpDestination(HttpDestinationBuilder.Settings<T> settings) {
        this.settings = settings;
        this.where = Redact.url(settings.url.toString());
        HttpClient.Builder builder =
                HttpClient.newBuilder()
                        .connectTimeout(settings.requestTimeout)
                        .version(HttpClient.Version.HTTP_1_1);
        if (settings.trustStore != null || settings.keyStore != null) {
            builder.sslContext(TlsContext.of(settings));
        }
        this.client = builder.build();
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
                Exchange exchange = exchange(request);
                int status = exchange.status;
                if (settings.success.contains(status)) {
                    String failedCheck = failedCheck(exchange.headers, batch);
                    if (failedCheck == null) {
                        boolean replayed =
                                exchange.headers
                                        .firstValue("Idempotent-Replayed")
                                        .map("true"::equalsIgnoreCase)
                                        .orElse(false);
                        return replayed ? SendOutcome.REPEAT_DROPPED : SendOutcome.APPLIED;
                    }
                    problem = "HTTP " + status + " " + failedCheck;
                } else {
                    problem = "HTTP " + status + ": " + truncate(exchange.body);
                    if (status == 429) {
                        wait = min(retryAfter(exchange.headers).orElse(wait), settings.maxBackoff);
                    } else if (status == 422) {
                        throw new RefusedBatchException(
                                batch.id(),
                                String.format(
                                        "%s refused batch %s (%d elements) with %s: the server"
                                                + " holds another payload under the same key. A"
                                                + " batch identity must always stand for the same"
                                                + " elements: the processing between source and"
                                                + " sink is not deterministic (time, randomness,"
                                                + " external lookups) or it changed since the"
                                                + " batch was first sent. Make it deterministic;"
                                                + " the batch stays pending.",
                                        where, batch.id(), batch.elements().size(), problem));
                    } else if (settings.permanent.contains(status)) {
                        throw refusedForGood(batch, status, problem);
                    } else if (!retried(status)) {
                        throw new RefusedException(
                                String.format(
                                        "%s refused batch %s (%d elements) with %s. Not retried:"
                                                + " fix the request, the credentials or the"
                                                + " server; the batch stays pending and is re-sent"
                                                + " when the job restarts.",
                                        where, batch.id(), batch.elements().size(), problem));
                    }
                }
            } catch (RefusedException | RefusedBatchException | PoisonElementException e) {
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

    /** Statuses worth another attempt within the same send. */
    private static boolean retried(int status) {
        return status >= 500 || status == 408 || status == 409 || status == 425 || status == 429;
    }

    /** A permanent refusal: the one element's if the batch has one, else the batch's. */
    private IOException refusedForGood(Batch<T> batch, int status, String problem) {
        String reason =
                String.format(
                        "%s refused it with %s, a status configured as permanent", where, problem);
        if (batch.elements().size() == 1) {
            return new PoisonElementException(batch.id(), 0, reason, null);
        }
        return new RefusedBatchException(
                batch.id(),
                String.format(
                        "%s refused batch %s (%d elements) with %s, a status configured as"
                                + " permanent: every re-send would be refused the same way. Fix"
                                + " the request or the server (for 413, lower"
                                + " sink.batch.max-bytes or sink.batch.max-records); the batch"
                                + " stays pending and is re-sent when the job starts again.",
                        where, batch.id(), batch.elements().size(), problem));
    }

    /** Why a success's response does not count as applied, or {@code null} if it does. */
    @Nullable
    private String failedCheck(HttpHeaders headers, Batch<T> batch) {
        for (String required : settings.requiredResponseHeaders) {
            if (headers.firstValue(required).isEmpty()) {
                return "without the required response header '" + required + "'";
            }
        }
        if (settings.requireEchoedKey) {
            Optional<String> echoed = headers.firstValue("Idempotency-Key");
            if (echoed.isEmpty()) {
                return "without the echoed Idempotency-Key header";
            }
            if (!echoed.get().equals(batch.id().value())) {
                return "echoing another Idempotency-Key than the batch's";
            }
        }
        return null;
    }

    /**
     * One exchange within the request timeout: headers, then at most {@link #MAX_BODY_READ} bytes
     * of the body within what is left of it (a success's within {@link #SUCCESS_BODY_GRACE}).
     */
    private Exchange exchange(HttpRequest request) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + settings.requestTimeout.toNanos();
        CompletableFuture<HttpResponse<BoundedBody>> response =
                client.sendAsync(
                        request,
                        info ->
                                new BoundedBody(
                                        settings.success.contains(info.statusCode())
                                                ? 0
                                                : MAX_BODY_READ,
                                        MAX_BODY_READ));
        HttpResponse<BoundedBody> headers;
        try {
            headers = response.get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            response.cancel(true);
            throw new HttpTimeoutException(
                    "no response within " + settings.requestTimeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            response.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException(String.valueOf(cause), cause);
        }
        int status = headers.statusCode();
        Duration left = Duration.ofNanos(deadline - System.nanoTime());
        if (settings.success.contains(status)) {
            headers.body().await(min(left, SUCCESS_BODY_GRACE));
            return new Exchange(status, headers.headers(), "");
        }
        return new Exchange(status, headers.headers(), headers.body().await(left));
    }

    /** A response as far as it was read. */
    private record Exchange(int status, HttpHeaders headers, String body) {}

    @Override
    public String toString() {
        return "HttpDestination{" + where + "}";
    }

    /** A response that retrying within this send cannot change. */
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

    private static Optional<Duration> retryAfter(HttpHeaders headers) {
        return headers.firstValue("Retry-After")
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
