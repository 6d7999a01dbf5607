package io.idempotent.flink.protocol;

import io.idempotent.flink.destination.Batch;
import io.idempotent.flink.destination.SendOutcome;
import org.apache.flink.annotation.PublicEvolving;

/**
 * A {@link DeliveryListener} that counts what the deliveries it hears of did: batches sent (of them
 * re-sent pending ranges, and repeats the destination dropped), batches found committed, elements
 * sent, store writes. Give one to {@link PartitionPump} to see what it did.
 */
@PublicEvolving
public final class DeliveryCounts implements DeliveryListener {

    private long batchesSent;
    private long replayed;
    private long repeatsDropped;
    private long alreadyCommitted;
    private long elementsSent;
    private long storeWrites;

    @Override
    public void sent(Batch<?> batch, SendOutcome outcome, boolean resent) {
        batchesSent++;
        elementsSent += batch.elements().size();
        if (resent) {
            replayed++;
        }
        if (outcome == SendOutcome.REPEAT_DROPPED) {
            repeatsDropped++;
        }
    }

    @Override
    public void alreadyCommitted(Batch<?> batch) {
        alreadyCommitted++;
    }

    @Override
    public void storeWritten(long nanos) {
        storeWrites++;
    }

    /** Batches sent, re-sent pending ranges included. */
    public long batchesSent() {
        return batchesSent;
    }

    /** Pending ranges of an earlier owner or attempt, sent again under their identity. */
    public long replayed() {
        return replayed;
    }

    /** Batches the destination already held and dropped as repeats. */
    public long repeatsDropped() {
        return repeatsDropped;
    }

    /** Batches the store showed committed, acknowledged without a send. */
    public long alreadyCommitted() {
        return alreadyCommitted;
    }

    public long elementsSent() {
        return elementsSent;
    }

    public long storeWrites() {
        return storeWrites;
    }

    @Override
    public String toString() {
        return String.format(
                "%d batches sent (%d re-sent, %d repeats dropped), %d already committed, %d"
                        + " elements, %d store writes",
                batchesSent, replayed, repeatsDropped, alreadyCommitted, elementsSent, storeWrites);
    }
}
