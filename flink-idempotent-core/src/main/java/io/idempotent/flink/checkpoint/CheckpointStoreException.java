package io.idempotent.flink.checkpoint;

import org.apache.flink.annotation.Internal;

/** A checkpoint store could not be read or written, or refused a transition. */
@Internal
public class CheckpointStoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public CheckpointStoreException(String message) {
        super(message);
    }

    public CheckpointStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
