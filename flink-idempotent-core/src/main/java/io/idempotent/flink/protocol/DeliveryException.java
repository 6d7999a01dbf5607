package io.idempotent.flink.protocol;

import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import org.apache.flink.annotation.Internal;

/**
 * A batch could not be built or delivered. Names the partition and the range; what was pending
 * stays pending, so the next owner of the partition re-sends it.
 */
@Internal
public class DeliveryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public DeliveryException(
            StreamPartition partition, SequenceRange range, String message, Throwable cause) {
        super("Partition " + partition + ", range " + range + ": " + message, cause);
    }
}
