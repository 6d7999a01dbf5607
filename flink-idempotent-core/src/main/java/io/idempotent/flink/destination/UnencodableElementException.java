package io.idempotent.flink.destination;

import io.idempotent.flink.checkpoint.BatchId;
import org.apache.flink.annotation.Internal;

/**
 * An element of a batch that the destination cannot turn into what it writes (the encoder or the
 * statement binder threw): a {@link PoisonElementException}.
 */
@Internal
public class UnencodableElementException extends PoisonElementException {

    private static final long serialVersionUID = 1L;

    public UnencodableElementException(BatchId batch, int index, Throwable cause) {
        super(batch, index, "cannot be encoded: " + cause, cause);
    }
}
