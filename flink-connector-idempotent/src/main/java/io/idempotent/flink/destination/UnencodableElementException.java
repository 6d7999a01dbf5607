package io.idempotent.flink.destination;

import io.idempotent.flink.checkpoint.BatchId;
import java.io.IOException;
import org.apache.flink.annotation.PublicEvolving;

/**
 * An element of a batch that the destination cannot turn into what it writes (the encoder or the
 * statement binder threw). Retrying cannot help: the same element comes back with the same batch.
 * The sink names the element's stream, partition and sequence and stops the job without restarts.
 */
@PublicEvolving
public class UnencodableElementException extends IOException {

    private static final long serialVersionUID = 1L;

    private final BatchId batch;
    private final int index;

    public UnencodableElementException(BatchId batch, int index, Throwable cause) {
        super(
                String.format("element %d of batch %s cannot be encoded: %s", index, batch, cause),
                cause);
        this.batch = batch;
        this.index = index;
    }

    public BatchId batch() {
        return batch;
    }

    /** The element's position in {@link Batch#elements()}. */
    public int index() {
        return index;
    }
}
