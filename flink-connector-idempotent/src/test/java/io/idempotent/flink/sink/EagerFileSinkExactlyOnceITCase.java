package io.idempotent.flink.sink;

/**
 * The whole end-to-end suite of {@link FileSinkExactlyOnceITCase} with batches delivered as soon as
 * they are ready (5 ms after the first element, between checkpoints 100 ms apart).
 */
class EagerFileSinkExactlyOnceITCase extends FileSinkExactlyOnceITCase {

    @Override
    DeliveryMode deliveryMode() {
        return DeliveryMode.EAGER;
    }
}
