package io.idempotent.flink.testutils;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * A real HTTP server on loopback that behaves like an API with idempotency keys: it applies each
 * {@code Idempotency-Key} once, answers repeats with 200 and {@code Idempotent-Replayed: true}, and
 * keeps every line it applied, in order. It can be told to misbehave: answer 503 or 429, refuse
 * with 400, or apply a request and then stall past the client's timeout; answer every success with
 * a body that trickles or never ends; answer 200 like a proxy's login page without applying; refuse
 * for good the requests that hold a given line. It echoes the request's {@code Idempotency-Key} on
 * every response it gives as the API. Over HTTPS, with a client certificate required if asked.
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

    /** How a success's body is sent. */
    public enum SuccessBody {
        /** A short JSON object. */
        SHORT,
        /** One byte every 100 ms for a minute. */
        TRICKLE,
        /** 512 MiB as fast as the client reads. */
        HUGE
    }

    private volatile SuccessBody successBody = SuccessBody.SHORT;
    private final AtomicLong bodyBytesWritten = new AtomicLong();
    private final AtomicInteger loginPages = new AtomicInteger();
    private volatile Predicate<String> refusedLine = line -> false;
    private volatile int refusalStatus = 400;
    private final AtomicInteger refusals = new AtomicInteger();
    private final boolean https;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);

    public IdempotentHttpServer() throws IOException {
        this(true);
    }

    /** {@code keepLines = false} only counts applied lines, for long benchmark runs. */
    public IdempotentHttpServer(boolean keepLines) throws IOException {
        this(keepLines, null, false);
    }

    /**
     * Over HTTPS with the server's {@code tls} context, requiring a client certificate that the
     * context trusts if {@code clientAuth}; over plain HTTP if {@code tls} is {@code null}.
     */
    public IdempotentHttpServer(boolean keepLines, SSLContext tls, boolean clientAuth)
            throws IOException {
        this.keepLines = keepLines;
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        if (tls == null) {
            server = HttpServer.create(address, 0);
            https = false;
        } else {
            HttpsServer secure = HttpsServer.create(address, 0);
            secure.setHttpsConfigurator(
                    new HttpsConfigurator(tls) {
                        @Override
                        public void configure(HttpsParameters parameters) {
                            SSLParameters ssl = tls.getDefaultSSLParameters();
                            ssl.setNeedClientAuth(clientAuth);
                            parameters.setSSLParameters(ssl);
                        }
                    });
            server = secure;
            https = true;
        }
        server.createContext("/batches", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    public String url() {
        return (https ? "https" : "http")
                + "://127.0.0.1:"
                + server.getAddress().getPort()
                + "/batches";
    }

    /** How every later success's body is sent. */
    public void successBody(SuccessBody body) {
        successBody = body;
    }

    /** Bytes of success bodies the server could write before the client stopped reading. */
    public long bodyBytesWritten() {
        return bodyBytesWritten.get();
    }

    /** The next {@code count} requests get a 200 HTML page, as from a proxy: nothing applied. */
    public void loginPageNext(int count) {
        loginPages.set(count);
    }

    /** Every request holding a line that {@code line} matches is refused with {@code status}. */
    public void refuseLines(Predicate<String> line, int status) {
        refusedLine = line;
        refusalStatus = status;
    }

    /** How many requests were refused for holding such a line. */
    public int refusals() {
        return refusals.get();
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
        if (loginPages.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            exchange.getResponseHeaders().add("Content-Type", "text/html");
            respond(exchange, 200, "<html><form>Sign in</form></html>", false);
            return;
        }
        if (key != null) {
            exchange.getResponseHeaders().add("Idempotency-Key", key);
        }
        String text = new String(body, StandardCharsets.UTF_8);
        if (Arrays.stream(text.split("\n")).anyMatch(refusedLine)) {
            refusals.incrementAndGet();
            respond(exchange, refusalStatus, "{\"error\":\"refused for good\"}", false);
            return;
        }
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
        if (successBody == SuccessBody.SHORT) {
            respond(exchange, 200, "{}", repeat);
        } else {
            endless(exchange, repeat);
        }
    }

    /** A success whose body trickles or is huge; ends early when the client stops reading. */
    private void endless(HttpExchange exchange, boolean replayed) {
        if (replayed) {
            exchange.getResponseHeaders().add("Idempotent-Replayed", "true");
        }
        boolean trickle = successBody == SuccessBody.TRICKLE;
        byte[] chunk = new byte[trickle ? 1 : 64 * 1024];
        Arrays.fill(chunk, (byte) ' ');
        long chunks = trickle ? 600 : 512L * 1024 * 1024 / chunk.length;
        try {
            exchange.sendResponseHeaders(200, chunks * chunk.length);
            try (OutputStream out = exchange.getResponseBody()) {
                for (long i = 0; i < chunks; i++) {
                    out.write(chunk);
                    out.flush();
                    bodyBytesWritten.addAndGet(chunk.length);
                    if (trickle) {
                        Thread.sleep(100);
                    }
                }
            }
        } catch (IOException e) {
            // The client stopped reading.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            exchange.close();
        }
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
        executor.shutdownNow();
    }
}
