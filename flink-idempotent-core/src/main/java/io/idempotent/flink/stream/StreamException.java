package io.idempotent.flink.stream;

import org.apache.flink.annotation.Internal;

/**
 * A stream could not be read or written. The message names the stream, the partition and the
 * sequence number where that is known, and what the user can do.
 */
@Internal
public class StreamException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public StreamException(String message) {
        super(message);
    }

    public StreamException(String message, Throwable cause) {
        super(message, cause);
    }
}
