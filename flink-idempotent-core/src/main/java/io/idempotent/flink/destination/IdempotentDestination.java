package io.idempotent.flink.destination;

import io.idempotent.flink.checkpoint.BatchId;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;

/**
 * A destination that makes a repeated send of the same batch identity harmless: the second and
 * later sends of an identity change nothing and report {@link SendOutcome#REPEAT_DROPPED}.
 *
 * <p>This is the one thing the destination must guarantee for exactly-once delivery: it remembers
 * identities it has applied (a ledger row in the same transaction, a deterministic file name, an
 * idempotency key) at least as long as a batch can stay pending. A send may be interrupted halfway;
 * the destination must then either hold all of the batch or none of it, or be able to complete it
 * when the same identity arrives again.
 */
@PublicEvolving
public interface IdempotentDestination<T> extends AutoCloseable {

    /**
     * Where {@code id} will be written, if the destination decides that in advance; recorded in the
     * pending checkpoint and handed back with the batch when it is re-sent. {@code null} by
     * default.
     */
    @Nullable
    default String plannedLocation(BatchId id) {
        return null;
    }

    /**
     * Checks, before a partition is taken over, that the destination can keep {@code longest}, the
     * longest identity the partition's batches can have; throws {@link IllegalArgumentException}
     * saying why not. Nothing is marked pending for a partition whose identities are refused.
     */
    default void requireHoldable(BatchId longest) {}

    /**
     * Writes the batch, or recognises its identity and drops it. Returns only once the destination
     * holds the batch durably; throws if that is not certain.
     */
    SendOutcome send(Batch<T> batch) throws Exception;

    @Override
    default void close() throws Exception {}
}
