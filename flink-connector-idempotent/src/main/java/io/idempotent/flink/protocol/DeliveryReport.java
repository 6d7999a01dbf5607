package io.idempotent.flink.protocol;

import org.apache.flink.annotation.PublicEvolving;

/**
 * What one delivery call did.
 *
 * @param batchesSent sends made to the destination
 * @param repeatsDropped sends the destination recognised as repeats
 * @param alreadyCommitted batches the store showed committed, acknowledged without a send
 * @param replayed batches re-sent because they were pending from an earlier attempt
 * @param elementsSent elements in the batches sent
 * @param storeWrites writes made to the checkpoint store
 */
@PublicEvolving
public record DeliveryReport(
        long batchesSent,
        long repeatsDropped,
        long alreadyCommitted,
        long replayed,
        long elementsSent,
        long storeWrites) {

    public static final DeliveryReport NONE = new DeliveryReport(0, 0, 0, 0, 0, 0);

    public DeliveryReport plus(DeliveryReport other) {
        return new DeliveryReport(
                batchesSent + other.batchesSent,
                repeatsDropped + other.repeatsDropped,
                alreadyCommitted + other.alreadyCommitted,
                replayed + other.replayed,
                elementsSent + other.elementsSent,
                storeWrites + other.storeWrites);
    }
}
