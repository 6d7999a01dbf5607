package io.idempotent.flink.testutils;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.destination.Batch;
import io.idempotent.flink.destination.IdempotentDestination;
import io.idempotent.flink.destination.SendOutcome;

/** A destination that passes every call on to another; override what a test changes. */
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
