package io.idempotent.flink.destination.http;

import io.idempotent.flink.destination.DestinationFactory;
import io.idempotent.flink.destination.ElementEncoder;
import io.idempotent.flink.util.Redact;
import io.idempotent.flink.util.Serializability;
import java.io.Serializable;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;

/** Builds an {@link HttpDestination} factory; {@link #buildFactory()} validates the settings. */
@PublicEvolving
public final class HttpDestinationBuilder<T> {

    /**
     * How long one exchange (request, response headers and body) may take unless told otherwise.
     */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

    /** Attempts per batch unless told otherwise. */
    public static final int DEFAULT_MAX_ATTEMPTS = 5;

    /** The statuses that say a batch was applied, unless told otherwise. */
    public static final String DEFAULT_SUCCESS_STATUSES = "2xx";

    /** The statuses that refuse a batch for good, unless told otherwise. */
    public static final String DEFAULT_PERMANENT_ERROR_STATUSES = "400,404,405,410,413-415";

    private static final Set<String> RESERVED = Set.of("idempotency-key", "content-type");

    /** Words in a header's or a query parameter's name that mark it as a credential. */
    private static final List<String> CREDENTIAL_WORDS =
            List.of("auth", "token", "secret", "password", "key", "cookie", "session", "signature");

    private String url;
    private ElementEncoder<T> encoder;
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private Duration initialBackoff = Duration.ofMillis(100);
    private Duration maxBackoff = Duration.ofSeconds(5);
    private final Map<String, String> headers = new LinkedHashMap<>();
    private String successStatuses = DEFAULT_SUCCESS_STATUSES;
    private String permanentErrorStatuses = DEFAULT_PERMANENT_ERROR_STATUSES;
    private final List<String> requiredResponseHeaders = new ArrayList<>();
    private boolean requireEchoedKey;
    @Nullable private String trustStore;
    @Nullable private String trustStorePassword;
    @Nullable private String keyStore;
    @Nullable private String keyStorePassword;
    private boolean allowCredentialsOverHttp;

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

    /**
     * How long one exchange may take, from sending the request to the end of the response's body;
     * past it the attempt counts as timed out and is retried. Default 30 s.
     */
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

    /**
     * The statuses that say the server applied a batch (or recognised its key): codes, ranges and
     * classes, e.g. {@code "200,201,204"}. Default {@code 2xx}. Any other status is a failed send,
     * never a commit.
     */
    public HttpDestinationBuilder<T> successStatuses(String statuses) {
        this.successStatuses = Objects.requireNonNull(statuses, "statuses");
        return this;
    }

    /**
     * The statuses that refuse a batch for good: the job stops without restarts naming the batch,
     * or, for a batch of one element and a sink with dead letters, the element goes there. Default
     * {@code 400,404,405,410,413-415}. Other 4xx statuses (401, 403, …) fail the send and the job
     * fails over; 408, 409, 425, 429 and 5xx are retried.
     */
    public HttpDestinationBuilder<T> permanentErrorStatuses(String statuses) {
        this.permanentErrorStatuses = Objects.requireNonNull(statuses, "statuses");
        return this;
    }

    /**
     * A header a response must carry to count as applied, e.g. one your API always sets, which a
     * proxy's or a login page's 200 lacks. May be called more than once.
     */
    public HttpDestinationBuilder<T> requireResponseHeader(String name) {
        requiredResponseHeaders.add(Objects.requireNonNull(name, "name"));
        return this;
    }

    /**
     * A response counts as applied only if it echoes the request's {@code Idempotency-Key} header
     * with the same value.
     */
    public HttpDestinationBuilder<T> requireEchoedIdempotencyKey() {
        this.requireEchoedKey = true;
        return this;
    }

    /**
     * The certificates to trust for {@code https://} instead of the JVM's default ones: a key store
     * file (PKCS12 or JKS) on every TaskManager, and its password ({@code null} for none).
     */
    public HttpDestinationBuilder<T> trustStore(String path, @Nullable String password) {
        this.trustStore = Objects.requireNonNull(path, "path");
        this.trustStorePassword = password;
        return this;
    }

    /**
     * The client certificate and key for mutual TLS: a key store file (PKCS12 or JKS) on every
     * TaskManager; {@code password} opens the store and its key.
     */
    public HttpDestinationBuilder<T> keyStore(String path, @Nullable String password) {
        this.keyStore = Objects.requireNonNull(path, "path");
        this.keyStorePassword = password;
        return this;
    }

    /**
     * Allows credentials (a header such as {@code Authorization}, user info or a token in the URL)
     * over plain {@code http://}, where anyone on the way can read them; refused by default. Only
     * for a network you trust, such as a sidecar on the same host.
     */
    public HttpDestinationBuilder<T> allowCredentialsOverHttp(boolean allow) {
        this.allowCredentialsOverHttp = allow;
        return this;
    }

    public DestinationFactory<T> buildFactory() {
        URI uri;
        try {
            uri = URI.create(Objects.requireNonNull(url, "url"));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalStateException(
                    "The HTTP destination needs an http:// or https:// URL, but got "
                            + (url == null ? "none" : "'" + Redact.url(url) + "'")
                            + ".");
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new IllegalStateException(
                    "The HTTP destination needs an http:// or https:// URL, but got '"
                            + Redact.url(url)
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
        HttpStatuses success;
        HttpStatuses permanent;
        try {
            success = HttpStatuses.parse("The success statuses", successStatuses);
            permanent = HttpStatuses.parse("The permanent error statuses", permanentErrorStatuses);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(e.getMessage());
        }
        if (success.overlaps(permanent)) {
            throw new IllegalStateException(
                    String.format(
                            "The success statuses '%s' and the permanent error statuses '%s' share"
                                    + " a status; a status can only be one of the two.",
                            success, permanent));
        }
        if ("http".equals(uri.getScheme()) && !allowCredentialsOverHttp) {
            credential(uri)
                    .ifPresent(
                            credential -> {
                                throw new IllegalStateException(
                                        String.format(
                                                "The HTTP destination would send %s over plain"
                                                        + " http:// to '%s', where anyone on the"
                                                        + " way can read it. Use https://, or,"
                                                        + " for a network you trust (a sidecar on"
                                                        + " the same host), allow it with"
                                                        + " allowCredentialsOverHttp(true) (SQL:"
                                                        + " 'destination.http.allow-credentials-over-http'"
                                                        + " = 'true').",
                                                credential, Redact.url(url)));
                            });
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
                        maxBackoff,
                        success,
                        permanent,
                        List.copyOf(requiredResponseHeaders),
                        requireEchoedKey,
                        trustStore,
                        trustStorePassword,
                        keyStore,
                        keyStorePassword);
        return () -> new HttpDestination<>(settings);
    }

    /** What in the request would be a credential, named without its value. */
    private Optional<String> credential(URI uri) {
        if (uri.getRawUserInfo() != null) {
            return Optional.of("credentials (the URL's user info)");
        }
        for (String name : headers.keySet()) {
            if (isCredential(name)) {
                return Optional.of("a credential (the header '" + name + "')");
            }
        }
        if (uri.getRawQuery() != null) {
            for (String parameter : uri.getRawQuery().split("&")) {
                String name = parameter.contains("=") ? parameter.split("=", 2)[0] : parameter;
                if (isCredential(name)) {
                    return Optional.of("a credential (the URL's query parameter '" + name + "')");
                }
            }
        }
        return Optional.empty();
    }

    private static boolean isCredential(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return CREDENTIAL_WORDS.stream().anyMatch(lower::contains);
    }

    /** The validated settings, as they travel with the job. */
    static final class Settings<T> implements Serializable {
        private static final long serialVersionUID = 2L;

        final URI url;
        final Map<String, String> headers;
        final ElementEncoder<T> encoder;
        final Duration requestTimeout;
        final int maxAttempts;
        final Duration initialBackoff;
        final Duration maxBackoff;
        final HttpStatuses success;
        final HttpStatuses permanent;
        final List<String> requiredResponseHeaders;
        final boolean requireEchoedKey;
        @Nullable final String trustStore;
        @Nullable final String trustStorePassword;
        @Nullable final String keyStore;
        @Nullable final String keyStorePassword;

        Settings(
                URI url,
                Map<String, String> headers,
                ElementEncoder<T> encoder,
                Duration requestTimeout,
                int maxAttempts,
                Duration initialBackoff,
                Duration maxBackoff,
                HttpStatuses success,
                HttpStatuses permanent,
                List<String> requiredResponseHeaders,
                boolean requireEchoedKey,
                @Nullable String trustStore,
                @Nullable String trustStorePassword,
                @Nullable String keyStore,
                @Nullable String keyStorePassword) {
            this.url = url;
            this.headers = headers;
            this.encoder = encoder;
            this.requestTimeout = requestTimeout;
            this.maxAttempts = maxAttempts;
            this.initialBackoff = initialBackoff;
            this.maxBackoff = maxBackoff;
            this.success = success;
            this.permanent = permanent;
            this.requiredResponseHeaders = requiredResponseHeaders;
            this.requireEchoedKey = requireEchoedKey;
            this.trustStore = trustStore;
            this.trustStorePassword = trustStorePassword;
            this.keyStore = keyStore;
            this.keyStorePassword = keyStorePassword;
        }

        @Override
        public String toString() {
            return "HttpDestination.Settings{" + Redact.url(url.toString()) + "}";
        }
    }
}
