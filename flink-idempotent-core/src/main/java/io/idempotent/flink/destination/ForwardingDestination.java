package io.idempotent.flink.destination;

import io.idempotent.flink.checkpoint.BatchId;
import org.apache.flink.annotation.Internal;

/**
 * A destination that passes every call on to another, for wrappers that watch or change a few of
 * them (metrics, logging, fault injection): extend it and override what the wrapper changes. Every
 * method of {@link IdempotentDestination} is forwarded, defaults included, so that a wrapper never
 * loses a check the destination makes (such as {@link #requireHoldable}).
 *
 * <pre>{@code
 * class Timed<T> extends ForwardingDestination<T> {
 *     Timed(IdempotentDestination<T> delegate) { super(delegate); }
 *     public SendOutcome send(Batch<T> batch) throws Exception {
 *         long start = System.nanoTime();
 *         try { return super.send(batch); } finally { record(System.nanoTime() - start); }
 *     }
 * }
 * }</pre>
 */
@Internal
public class ForwardingDestination<T> implements IdempotentDestination<T> {

    private final IdempotentDestination<T> delegate;

    public ForwardingDestination(IdempotentDestination<T> delegate) {
        this.delegate = delegate;
    }

    @Override
    public String plannedLocation(BatchId id) {
        return delegate.plannedLocation(id);
    }

    @Override
    public void requireHoldable(BatchId longest) {
        delegate.requireHoldable(longest);
    }

    @Override
    public SendOutcome send(Batch<T> batch) throws Exception {
        return delegate.send(batch);
    }

    @Override
    public void close() throws Exception {
        delegate.close();
    }
}
