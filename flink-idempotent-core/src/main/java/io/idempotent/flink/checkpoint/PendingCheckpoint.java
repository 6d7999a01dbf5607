package io.idempotent.flink.checkpoint;

import io.idempotent.flink.stream.SequenceRange;
import java.io.Serializable;
import java.util.Objects;
import java.util.Optional;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;

/**
 * A range about to be sent: recorded durably before the send, cleared by the commit after it.
 * Whoever finds it after a failure replays exactly this range under exactly this identity.
 *
 * @param range the sequence numbers of the batch's first and last source records
 * @param batchId the identity the batch is sent under
 * @param location where in the destination the batch will be written, if the destination says so in
 *     advance (a file name, a row key); {@code null} otherwise
 */
@Internal
public record PendingCheckpoint(SequenceRange range, BatchId batchId, @Nullable String location)
        implements Serializable {

    public PendingCheckpoint {
        Objects.requireNonNull(range, "range");
        Objects.requireNonNull(batchId, "batchId");
    }

    public Optional<String> plannedLocation() {
        return Optional.ofNullable(location);
    }

    @Override
    public String toString() {
        return range + " as " + batchId + (location == null ? "" : " at " + location);
    }
}
