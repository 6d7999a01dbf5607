package io.idempotent.flink.sink.writer;

import io.idempotent.flink.sink.BatchLimit;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;

/**
 * What a sink's writers are told when the job is built, in one immutable value.
 *
 * @param sink the sink's name: part of every batch identity and of the key of its checkpoints
 * @param limit how large a batch may grow
 * @param maxDelay the eager mode's delay after the first element taken since the last delivery;
 *     {@code null} delivers at the checkpoint barriers only
 * @param perPartitionMetrics whether to register metrics per partition
 */
@Internal
public record WriterSettings(
        String sink, BatchLimit limit, @Nullable Duration maxDelay, boolean perPartitionMetrics)
        implements Serializable {

    public WriterSettings {
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(limit, "limit");
        if (maxDelay != null && maxDelay.toMillis() < 1) {
            throw new IllegalArgumentException(
                    "sink.batch.max-delay must be at least 1 ms, not "
                            + maxDelay.toMillis()
                            + " ms.");
        }
    }

    /** Delivers at the checkpoint barriers (and when a batch is full) only. */
    public static WriterSettings atBarriers(String sink, BatchLimit limit) {
        return new WriterSettings(sink, limit, null, false);
    }

    /** The same settings delivering eagerly, {@code maxDelay} after a first element. */
    public WriterSettings eager(Duration delay) {
        return new WriterSettings(sink, limit, delay, perPartitionMetrics);
    }
}
