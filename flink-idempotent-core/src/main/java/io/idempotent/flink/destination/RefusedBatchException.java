package io.idempotent.flink.destination;

import io.idempotent.flink.checkpoint.BatchId;
import org.apache.flink.annotation.PublicEvolving;

/**
 * A batch the destination refuses for good, for a reason that is not one element's (an HTTP 400 or
 * 413 for a batch of several elements, a request the server does not serve). Every re-send would be
 * refused the same way: the sink names the batch's stream, partition and range and stops the job
 * without restarts; the batch stays pending and is re-sent when the job starts again.
 */
@PublicEvolving
public class RefusedBatchException extends java.io.IOException {

    private static final long serialVersionUID = 1L;

    private final BatchId batch;

    /**
     * @param message why, and what the user can do; without credentials or element data
     */
    public RefusedBatchException(BatchId batch, String message) {
        super(message);
        this.batch = batch;
    }

    public BatchId batch() {
        return batch;
    }
}
