package io.idempotent.flink.destination;

import io.idempotent.flink.checkpoint.BatchId;
import java.io.IOException;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;

/**
 * An element of a batch that the destination can never accept: its encoder or statement binder
 * throws on it, the database rejects its row (a constraint, a value too long), or the server
 * refuses it for good. Retrying cannot help: the same element comes back with every re-send of its
 * batch. The sink sends it to its dead letters and the rest of the batch under the batch's
 * identity, or, without dead letters, names the element's stream, partition and sequence and stops
 * the job without restarts.
 *
 * <p>The message says why, never what the element holds: data stays out of logs.
 */
@PublicEvolving
public class PoisonElementException extends IOException {

    private static final long serialVersionUID = 1L;

    private final BatchId batch;
    private final int index;
    private final String reason;

    /**
     * @param index the element's position in {@link Batch#elements()}
     * @param reason why the destination cannot take it, without the element's data
     */
    public PoisonElementException(
            BatchId batch, int index, String reason, @Nullable Throwable cause) {
        super(String.format("element %d of batch %s: %s", index, batch, reason), cause);
        this.batch = batch;
        this.index = index;
        this.reason = reason;
    }

    public BatchId batch() {
        return batch;
    }

    /** The element's position in {@link Batch#elements()}. */
    public int index() {
        return index;
    }

    /** Why the destination cannot take the element; never its data. */
    public String reason() {
        return reason;
    }
}
