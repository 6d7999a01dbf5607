package io.idempotent.flink.destination.http;

import io.idempotent.flink.destination.DestinationFactory;
import io.idempotent.flink.destination.ElementEncoder;
import io.idempotent.flink.util.Serializability;
import java.io.Serializable;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.flink.annotation.PublicEvolving;

/** Builds an {@link HttpDestination} factory; {@link #buildFactory()} validates the settings. */
@PublicEvolving
public final class HttpDestinationBuilder<T> {

    /** How long one request may take unless told otherwise. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

    /** Attempts per batch unless told otherwise. */
    public static final int DEFAULT_MAX_ATTEMPTS = 5;

    private static final Set<String> RESERVED = Set.of("idempotency-key", "content-type");

    private String url;
    private ElementEncoder<T> encoder;
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private Duration initialBackoff = Duration.ofMillis(100);
    private Duration maxBackoff = Duration.ofSeconds(5);
    private final Map<String, String> headers = new LinkedHashMap<>();

    HttpDestinationBuilder() {}

    /** The endpoint batches are POSTed to. Required. */
    public HttpDestinationBuilder<T> url(String url) {
        this.url = url;
        return this;
    }

    /**
     * A header sent with every request, e.g. {@code header("Authorization", "Bearer …")}. Header
     * values never appear in a log line or an error message.
     */
    public HttpDestinationBuilder<T> header(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (RESERVED.contains(name.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException(
                    "The HTTP destination sets the header '" + name + "' itself.");
        }
        headers.put(name, value);
        return this;
    }

    /** Turns an element into one JSON line (without the line break). Required. */
    public HttpDestinationBuilder<T> encoder(ElementEncoder<T> encoder) {
        this.encoder = Objects.requireNonNull(encoder, "encoder");
        return this;
    }

    /** How long one request may take before it counts as a timeout. Default 30 s. */
    public HttpDestinationBuilder<T> requestTimeout(Duration timeout) {
        this.requestTimeout = Objects.requireNonNull(timeout, "timeout");
        return this;
    }

    /** Attempts per batch before the send fails (and the job fails over). Default 5. */
    public HttpDestinationBuilder<T> maxAttempts(int attempts) {
        this.maxAttempts = attempts;
        return this;
    }

    /** The first backoff; it doubles per retry up to {@code max}, with full jitter. */
    public HttpDestinationBuilder<T> backoff(Duration initial, Duration max) {
        this.initialBackoff = Objects.requireNonNull(initial, "initial");
        this.maxBackoff = Objects.requireNonNull(max, "max");
        return this;
    }

    public DestinationFactory<T> buildFactory() {
        URI uri;
        try {
            uri = URI.create(Objects.requireNonNull(url, "url"));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalStateException(
                    "The HTTP destination needs an http:// or https:// URL, but got "
                            + (url == null ? "none" : "'" + url + "'")
                            + ".",
                    e);
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new IllegalStateException(
                    "The HTTP destination needs an http:// or https:// URL, but got '"
                            + url
                            + "'.");
        }
        if (encoder == null) {
            throw new IllegalStateException(
                    "The HTTP destination needs an encoder from an element to one JSON line: call"
                            + " encoder(...).");
        }
        if (maxAttempts < 1) {
            throw new IllegalStateException("maxAttempts must be at least 1, not " + maxAttempts);
        }
        if (requestTimeout.isNegative()
                || requestTimeout.isZero()
                || initialBackoff.isNegative()
                || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalStateException(
                    "The request timeout must be positive and 0 <= initial backoff <= max backoff.");
        }
        Serializability.requireSerializable(encoder, "HTTP element encoder");
        Settings<T> settings =
                new Settings<>(
                        uri,
                        Map.copyOf(headers),
                        encoder,
                        requestTimeout,
                        maxAttempts,
                        initialBackoff,
                        maxBackoff);
        return () -> new HttpDestination<>(settings);
    }

    /** The validated settings, as they travel with the job. */
    static final class Settings<T> implements Serializable {
        private static final long serialVersionUID = 1L;

        final URI url;
        final Map<String, String> headers;
        final ElementEncoder<T> encoder;
        final Duration requestTimeout;
        final int maxAttempts;
        final Duration initialBackoff;
        final Duration maxBackoff;

        Settings(
                URI url,
                Map<String, String> headers,
                ElementEncoder<T> encoder,
                Duration requestTimeout,
                int maxAttempts,
                Duration initialBackoff,
                Duration maxBackoff) {
            this.url = url;
            this.headers = headers;
            this.encoder = encoder;
            this.requestTimeout = requestTimeout;
            this.maxAttempts = maxAttempts;
            this.initialBackoff = initialBackoff;
            this.maxBackoff = maxBackoff;
        }
    }
}
