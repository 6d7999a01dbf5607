package io.idempotent.flink.source.reader;

import io.idempotent.flink.checkpoint.CheckpointConflictException;
import io.idempotent.flink.checkpoint.CheckpointStoreException;
import io.idempotent.flink.checkpoint.FencedException;
import io.idempotent.flink.origin.Origin;
import io.idempotent.flink.protocol.DeliveryException;
import java.io.Serializable;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.flink.annotation.Internal;
import org.apache.flink.runtime.execution.CancelTaskException;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.util.ExceptionUtils;
import org.apache.flink.util.FlinkRuntimeException;

/**
 * Names the record on which the processing chained to the source failed, and stops the job without
 * restarts once the same record has failed {@code maxFailures} times in a row: a record that the
 * user's processing can never handle (a poison record) would otherwise restart the job for ever,
 * each time from the last checkpoint.
 *
 * <p>Failures are counted in the TaskManager's JVM (a restarted task reads the same record again,
 * usually in the same TaskManager), per sink, stream partition and sequence, and forgotten when the
 * record passes. Failures of the sink itself (a destination or the checkpoint store unreachable, a
 * fenced owner), cancellations and failures that already stop the job are passed on unchanged and
 * not counted: they are not the record's fault.
 */
@Internal
public final class RecordFailures implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Failures in a row per record, across restarts of the tasks in this JVM. */
    private static final ConcurrentMap<String, Integer> FAILURES = new ConcurrentHashMap<>();

    private static final List<Class<? extends Throwable>> NOT_THE_RECORDS_FAULT =
            List.of(
                    SuppressRestartsException.class,
                    CancelTaskException.class,
                    InterruptedException.class,
                    DeliveryException.class,
                    CheckpointStoreException.class,
                    CheckpointConflictException.class,
                    FencedException.class);

    private final String sink;
    private final int maxFailures;

    /**
     * @param sink the name of the sink the source feeds ("" if none), so that jobs sharing a JVM
     *     count apart
     * @param maxFailures failures in a row that stop the job; 0 for no bound
     */
    public RecordFailures(String sink, int maxFailures) {
        this.sink = sink;
        this.maxFailures = maxFailures;
    }

    /**
     * The exception to throw for {@code failure}, raised while the record of {@code origin} was
     * processed.
     */
    RuntimeException failed(Origin origin, RuntimeException failure) {
        for (Class<? extends Throwable> type : NOT_THE_RECORDS_FAULT) {
            if (ExceptionUtils.findThrowable(failure, type).isPresent()) {
                return failure;
            }
        }
        String record =
                String.format(
                        "%s/%s sequence %d",
                        origin.stream(), origin.partition(), origin.sequence());
        int failures = FAILURES.merge(key(origin), 1, Integer::sum);
        if (maxFailures > 0 && failures >= maxFailures) {
            FAILURES.remove(key(origin));
            return new SuppressRestartsException(
                    new FlinkRuntimeException(
                            String.format(
                                    "The processing failed on record %s %d times in a row (the"
                                            + " bound scan.record.max-failures): the job stops"
                                            + " without restarting. Make the processing handle"
                                            + " the record (or drop it there), then start the job"
                                            + " again from its last checkpoint or savepoint.",
                                    record, failures),
                            failure));
        }
        return new FlinkRuntimeException(
                String.format(
                        "The processing failed on record %s (failure %d%s in a row).",
                        record, failures, maxFailures > 0 ? " of at most " + maxFailures : ""),
                failure);
    }

    /** Forgets the failures of the record of {@code origin}: it was processed. */
    void passed(Origin origin) {
        if (!FAILURES.isEmpty()) {
            FAILURES.remove(key(origin));
        }
    }

    private String key(Origin origin) {
        return sink + '\n' + origin.stream() + '\n' + origin.partition() + '\n' + origin.sequence();
    }
}
