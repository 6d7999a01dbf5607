package io.idempotent.flink.sink;

/**
 * The whole end-to-end suite of {@link JdbcSinkExactlyOnceITCase} with batches delivered as soon as
 * they are ready (5 ms after the first element, between checkpoints 100 ms apart).
 */
class EagerJdbcSinkExactlyOnceITCase extends JdbcSinkExactlyOnceITCase {

    @Override
    DeliveryMode deliveryMode() {
        return DeliveryMode.EAGER;
    }
}
