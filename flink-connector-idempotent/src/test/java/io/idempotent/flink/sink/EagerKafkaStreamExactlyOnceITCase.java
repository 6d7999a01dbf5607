package io.idempotent.flink.sink;

/**
 * The whole end-to-end suite of {@link KafkaStreamExactlyOnceITCase} (a Kafka topic into files)
 * with batches delivered as soon as they are ready.
 */
class EagerKafkaStreamExactlyOnceITCase extends KafkaStreamExactlyOnceITCase {

    @Override
    DeliveryMode deliveryMode() {
        return DeliveryMode.EAGER;
    }
}
