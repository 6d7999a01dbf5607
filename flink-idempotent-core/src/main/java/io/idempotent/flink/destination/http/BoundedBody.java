package io.idempotent.flink.destination.http;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A response body read as it arrives and never held past {@code keep} bytes: its response is
 * complete as soon as the headers are, and {@link #await} waits for the body only as long as it is
 * told. A body longer than {@code drain} bytes, or not finished in time, is cut off (the
 * subscription cancelled, which closes the connection); a short body read to its end leaves the
 * connection reusable. Subscribed to by the HTTP client's threads, read by the task thread.
 */
final class BoundedBody implements HttpResponse.BodySubscriber<BoundedBody> {

    private final int keep;
    private final long drain;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private volatile Flow.Subscription subscription;
    private volatile long seen;

    BoundedBody(int keep, long drain) {
        this.keep = keep;
        this.drain = drain;
    }

    @Override
    public CompletionStage<BoundedBody> getBody() {
        return CompletableFuture.completedFuture(this);
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        if (ended.isDone()) {
            subscription.cancel();
        } else {
            subscription.request(1);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        for (ByteBuffer item : items) {
            seen += item.remaining();
            synchronized (kept) {
                int room = keep - kept.size();
                if (room > 0) {
                    byte[] bytes = new byte[Math.min(room, item.remaining())];
                    item.get(bytes);
                    kept.write(bytes, 0, bytes.length);
                }
            }
        }
        if (seen > drain) {
            cancel();
        } else {
            subscription.request(1);
        }
    }

    @Override
    public void onError(Throwable failure) {
        ended.complete(null);
    }

    @Override
    public void onComplete() {
        ended.complete(null);
    }

    /**
     * Waits up to {@code max} for the body to end; cuts it off if it has not. Returns what was
     * kept, as text, marked when it was cut off or longer than what was kept.
     */
    String await(Duration max) throws InterruptedException {
        boolean whole;
        try {
            ended.get(Math.max(0, max.toNanos()), TimeUnit.NANOSECONDS);
            whole = seen <= drain;
        } catch (TimeoutException | ExecutionException e) {
            whole = false;
        } finally {
            if (!ended.isDone()) {
                cancel();
            }
        }
        String text;
        synchronized (kept) {
            text = kept.toString(StandardCharsets.UTF_8);
        }
        return whole && seen <= keep ? text : text + "… (cut off after " + seen + " bytes)";
    }

    /** Stops reading: the client closes the connection. */
    void cancel() {
        Flow.Subscription current = subscription;
        if (current != null) {
            current.cancel();
        }
        ended.complete(null);
    }
}
