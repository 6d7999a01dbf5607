package io.idempotent.flink.protocol;

import io.idempotent.flink.checkpoint.PendingCheckpoint;
import io.idempotent.flink.destination.Batch;
import io.idempotent.flink.destination.SendOutcome;
import io.idempotent.flink.stream.StreamPartition;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Told what {@link BatchDelivery} does, batch by batch, in the thread that delivers; for metrics.
 * Methods must be quick and must not throw.
 */
@PublicEvolving
public interface DeliveryListener {

    /** Listens to nothing. */
    DeliveryListener NONE = new DeliveryListener() {};

    /** {@code pending} was written to the store for {@code partition} (not yet sent). */
    default void markedPending(StreamPartition partition, PendingCheckpoint pending) {}

    /** {@code batch} was sent; {@code resent} if it was pending from an earlier attempt. */
    default void sent(Batch<?> batch, SendOutcome outcome, boolean resent) {}

    /** The store showed {@code batch} committed, so it was acknowledged without a send. */
    default void alreadyCommitted(Batch<?> batch) {}

    /** {@code partition} is committed up to {@code sequence}, with no pending range. */
    default void committed(StreamPartition partition, long sequence) {}

    /** One write to the checkpoint store took {@code nanos}. */
    default void storeWritten(long nanos) {}
}
