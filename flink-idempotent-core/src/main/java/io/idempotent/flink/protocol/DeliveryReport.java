package io.idempotent.flink.protocol;

import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;

/** What one delivery call did: counts, named, that add up with {@link #plus}. */
@PublicEvolving
public final class DeliveryReport {

    public static final DeliveryReport NONE = new DeliveryReport(0, 0, 0, 0, 0, 0);

    private final long batchesSent;
    private final long repeatsDropped;
    private final long alreadyCommitted;
    private final long replayed;
    private final long elementsSent;
    private final long storeWrites;

    private DeliveryReport(
            long batchesSent,
            long repeatsDropped,
            long alreadyCommitted,
            long replayed,
            long elementsSent,
            long storeWrites) {
        this.batchesSent = batchesSent;
        this.repeatsDropped = repeatsDropped;
        this.alreadyCommitted = alreadyCommitted;
        this.replayed = replayed;
        this.elementsSent = elementsSent;
        this.storeWrites = storeWrites;
    }

    /** One batch of {@code elements} sent; {@code repeat} if the destination dropped it. */
    public static DeliveryReport sent(long elements, boolean repeat, boolean replay) {
        return new DeliveryReport(1, repeat ? 1 : 0, 0, replay ? 1 : 0, elements, 0);
    }

    /** One batch the store showed committed, acknowledged without a send. */
    public static DeliveryReport alreadyCommittedBatch() {
        return new DeliveryReport(0, 0, 1, 0, 0, 0);
    }

    /** One write to the checkpoint store. */
    public static DeliveryReport storeWrite() {
        return new DeliveryReport(0, 0, 0, 0, 0, 1);
    }

    public DeliveryReport plus(DeliveryReport other) {
        return new DeliveryReport(
                batchesSent + other.batchesSent,
                repeatsDropped + other.repeatsDropped,
                alreadyCommitted + other.alreadyCommitted,
                replayed + other.replayed,
                elementsSent + other.elementsSent,
                storeWrites + other.storeWrites);
    }

    /** Sends made to the destination. */
    public long batchesSent() {
        return batchesSent;
    }

    /** Sends the destination recognised as repeats. */
    public long repeatsDropped() {
        return repeatsDropped;
    }

    /** Batches the store showed committed, acknowledged without a send. */
    public long alreadyCommitted() {
        return alreadyCommitted;
    }

    /** Batches re-sent because they were pending from an earlier attempt. */
    public long replayed() {
        return replayed;
    }

    /** Elements in the batches sent. */
    public long elementsSent() {
        return elementsSent;
    }

    /** Writes made to the checkpoint store. */
    public long storeWrites() {
        return storeWrites;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeliveryReport other
                && batchesSent == other.batchesSent
                && repeatsDropped == other.repeatsDropped
                && alreadyCommitted == other.alreadyCommitted
                && replayed == other.replayed
                && elementsSent == other.elementsSent
                && storeWrites == other.storeWrites;
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                batchesSent, repeatsDropped, alreadyCommitted, replayed, elementsSent, storeWrites);
    }

    @Override
    public String toString() {
        return String.format(
                "DeliveryReport[batchesSent=%d, repeatsDropped=%d, alreadyCommitted=%d,"
                        + " replayed=%d, elementsSent=%d, storeWrites=%d]",
                batchesSent, repeatsDropped, alreadyCommitted, replayed, elementsSent, storeWrites);
    }
}
