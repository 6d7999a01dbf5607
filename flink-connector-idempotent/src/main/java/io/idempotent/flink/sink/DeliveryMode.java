package io.idempotent.flink.sink;

import org.apache.flink.annotation.PublicEvolving;

/** When {@link IdempotentSink} delivers a partition's batch. */
@PublicEvolving
public enum DeliveryMode {

    /**
     * As soon as it is ready: {@code sink.batch.max-delay} after the first element the writer took
     * since its last delivery, when it is full, and at every checkpoint barrier, whichever comes
     * first. Latency does not depend on the checkpoint interval. The default.
     */
    EAGER,

    /**
     * At every checkpoint barrier, and when it is full. Latency is up to one checkpoint interval.
     */
    BARRIER
}
