package io.idempotent.flink.testutils;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real HTTP server on loopback that behaves like an API with idempotency keys: it applies each
 * {@code Idempotency-Key} once, answers repeats with 200 and {@code Idempotent-Replayed: true}, and
 * keeps every line it applied, in order. It can be told to misbehave: answer 503 or 429, refuse
 * with 400, or apply a request and then stall past the client's timeout.
 */
public final class IdempotentHttpServer implements AutoCloseable {

    private final HttpServer server;
    private final List<String> applied = new ArrayList<>();

    /** Each applied key with the hash of its payload: a key reused with another payload is 422. */
    private final Map<String, Integer> keys = new HashMap<>();

    private final AtomicInteger inProgress = new AtomicInteger();
    private volatile String retryAfter = "0";
    private volatile Headers lastHeaders;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger unavailable = new AtomicInteger();
    private final AtomicInteger tooMany = new AtomicInteger();
    private final AtomicInteger badRequests = new AtomicInteger();
    private final AtomicInteger stalls = new AtomicInteger();
    private volatile long stallMillis;

    private final boolean keepLines;
    private final AtomicLong appliedLines = new AtomicLong();

    public IdempotentHttpServer() throws IOException {
        this(true);
    }

    /** {@code keepLines = false} only counts applied lines, for long benchmark runs. */
    public IdempotentHttpServer(boolean keepLines) throws IOException {
        this.keepLines = keepLines;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/batches", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/batches";
    }

    public void failNext(int count503, int count429) {
        unavailable.set(count503);
        tooMany.set(count429);
    }

    /** The next {@code count} requests are answered 409: the same key is still in progress. */
    public void inProgressNext(int count) {
        inProgress.set(count);
    }

    /** What a 429 answers in {@code Retry-After}. */
    public void retryAfter(String value) {
        retryAfter = value;
    }

    /** A request header of the last request. */
    public String lastHeader(String name) {
        return lastHeaders == null ? null : lastHeaders.getFirst(name);
    }

    public void refuseNext(int count) {
        badRequests.set(count);
    }

    /** The next {@code count} new keys are applied, then the response waits {@code millis}. */
    public void stallAfterApplying(int count, long millis) {
        stallMillis = millis;
        stalls.set(count);
    }

    public long appliedLines() {
        return appliedLines.get();
    }

    public int requests() {
        return requests.get();
    }

    public synchronized List<String> applied() {
        return List.copyOf(applied);
    }

    public synchronized boolean hasKey(String key) {
        return keys.containsKey(key);
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
        byte[] body = exchange.getRequestBody().readAllBytes();
        lastHeaders = exchange.getRequestHeaders();
        if (inProgress.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            respond(exchange, 409, "{\"error\":\"a request with this key is in progress\"}", false);
            return;
        }
        if (unavailable.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            respond(exchange, 503, "temporarily unavailable", false);
            return;
        }
        if (tooMany.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            exchange.getResponseHeaders().add("Retry-After", retryAfter);
            respond(exchange, 429, "slow down", false);
            return;
        }
        if (badRequests.getAndUpdate(n -> Math.max(0, n - 1)) > 0 || key == null) {
            respond(exchange, 400, "{\"error\":\"field 'amount' is required\"}", false);
            return;
        }
        boolean repeat;
        synchronized (this) {
            int payload = Arrays.hashCode(body);
            Integer known = keys.putIfAbsent(key, payload);
            if (known != null && known != payload) {
                respond(exchange, 422, "{\"error\":\"key reused with another payload\"}", false);
                return;
            }
            repeat = known != null;
            if (!repeat) {
                for (String line : new String(body, StandardCharsets.UTF_8).split("\n")) {
                    if (!line.isEmpty()) {
                        appliedLines.incrementAndGet();
                        if (keepLines) {
                            applied.add(line);
                        }
                    }
                }
            }
        }
        if (!repeat && stalls.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            try {
                Thread.sleep(stallMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        respond(exchange, 200, "{}", repeat);
    }

    private static void respond(HttpExchange exchange, int status, String body, boolean replayed)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        if (replayed) {
            exchange.getResponseHeaders().add("Idempotent-Replayed", "true");
        }
        try {
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } catch (IOException e) {
            // The client gave up (timeout); what was applied stays applied.
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
