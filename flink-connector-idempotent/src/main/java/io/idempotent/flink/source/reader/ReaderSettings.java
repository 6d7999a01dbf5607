package io.idempotent.flink.source.reader;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.annotation.Internal;

/**
 * What a source's readers are told when the job is built, in one immutable value.
 *
 * @param maxRecordsPerFetch the most records one fetch hands to the task
 * @param idleWait how long a fetch waits for new records when every partition is at its end
 * @param recordMaxFailures failures in a row of the processing on one record that stop the job; 0
 *     for no bound
 * @param perPartitionMetrics whether to register metrics per partition
 */
@Internal
public record ReaderSettings(
        int maxRecordsPerFetch,
        Duration idleWait,
        int recordMaxFailures,
        boolean perPartitionMetrics)
        implements Serializable {

    public ReaderSettings {
        Objects.requireNonNull(idleWait, "idleWait");
        if (maxRecordsPerFetch < 1 || recordMaxFailures < 0) {
            throw new IllegalArgumentException(
                    "A reader needs at least one record per fetch and no negative failure bound,"
                            + " not "
                            + maxRecordsPerFetch
                            + " and "
                            + recordMaxFailures);
        }
    }
}
