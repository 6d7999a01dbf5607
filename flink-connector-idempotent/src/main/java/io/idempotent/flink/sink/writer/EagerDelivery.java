package io.idempotent.flink.sink.writer;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.operators.ProcessingTimeService;

/**
 * Delivery on readiness ({@code sink.delivery-mode = eager}): the writer delivers what it holds
 * {@code maxDelayMillis} after the first element it took since its last delivery, on a timer of the
 * task's processing-time service (so in the task's mailbox, never in another thread).
 */
@Internal
public record EagerDelivery(ProcessingTimeService timers, long maxDelayMillis) {

    public EagerDelivery {
        if (maxDelayMillis < 1) {
            throw new IllegalArgumentException(
                    "sink.batch.max-delay must be at least 1 ms, not " + maxDelayMillis + " ms.");
        }
    }
}
