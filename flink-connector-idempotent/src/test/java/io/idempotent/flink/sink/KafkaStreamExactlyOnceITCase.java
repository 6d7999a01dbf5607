package io.idempotent.flink.sink;

/**
 * The whole end-to-end suite again, with a Kafka topic on the in-process broker as the stream
 * (offsets with gaps from transaction markers) and the file destination.
 */
class KafkaStreamExactlyOnceITCase extends FileSinkExactlyOnceITCase {

    @Override
    StreamFixture newStream() {
        return StreamFixture.kafka(PARTITIONS);
    }
}
