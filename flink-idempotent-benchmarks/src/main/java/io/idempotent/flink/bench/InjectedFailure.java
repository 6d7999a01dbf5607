package io.idempotent.flink.bench;

import io.idempotent.flink.origin.Traced;
import io.idempotent.flink.stream.PartitionRecord;
import io.idempotent.flink.testutils.FaultPoints;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;

/**
 * For the recovery runs: passes records through, and once, a set time after a checkpoint completed
 * while records flowed (so that the restore lies that far behind), arms a failure that the next
 * send through the benchmark's destination fires ({@link Observed}): the destination applies the
 * batch, then the call fails, as a timeout does. The failing writer's batch stays pending in the
 * checkpoint store, so the restarted job must replay its range and re-send it under its identity,
 * which the destination drops as a repeat: the recovery includes a replay. (A failure in the user's
 * processing leaves nothing pending: the cancelled writers commit what they delivered when they
 * close.) Flink restarts the failed subtask's pipeline region (the default failover strategy), with
 * the default restart strategy. Afterwards this counts what the source reads again: records of the
 * restarted attempt at or below the highest sequence the first attempt read of their partition.
 * Static state: the benchmark's jobs run in its own JVM, one at a time.
 */
final class InjectedFailure
        extends RichMapFunction<Traced<PartitionRecord>, Traced<PartitionRecord>>
        implements CheckpointListener {

    /** Where the failure strikes: the send that applied its batch ({@link Observed}). */
    enum Point {
        APPLIED_SEND
    }

    /** The armed failure: the fault kit's trigger. */
    private static final FaultPoints<Point> FAULTS = new FaultPoints<>();

    private static final ConcurrentHashMap<String, Long> READ_BEFORE = new ConcurrentHashMap<>();
    private static volatile long checkpointCompletedNanos;

    /** When the failure was thrown ({@link System#nanoTime()}, and wall clock milliseconds). */
    static volatile long failedNanos;

    static volatile long failedMillis;

    /** Records the restarted attempt read again. */
    static final AtomicLong REREAD = new AtomicLong();

    /** When the restarted attempt read its first record, and its first new (not re-read) one. */
    static final AtomicLong FIRST_READ_AFTER = new AtomicLong();

    static final AtomicLong FIRST_NEW_READ_AFTER = new AtomicLong();

    private final long afterCheckpointNanos;
    private transient boolean restarted;

    InjectedFailure(long afterCheckpointNanos) {
        this.afterCheckpointNanos = afterCheckpointNanos;
    }

    static void reset() {
        FAULTS.reset();
        READ_BEFORE.clear();
        checkpointCompletedNanos = 0;
        failedNanos = 0;
        failedMillis = 0;
        REREAD.set(0);
        FIRST_READ_AFTER.set(0);
        FIRST_NEW_READ_AFTER.set(0);
    }

    static boolean failed() {
        return FAULTS.fired() > 0;
    }

    /**
     * Whether the send that just applied its batch must fail: once, after the failure was armed.
     * Called by the destination in the delivering thread.
     */
    static boolean fireOnSend() {
        if (FAULTS.fires(Point.APPLIED_SEND)) {
            failedNanos = System.nanoTime();
            failedMillis = System.currentTimeMillis();
            return true;
        }
        return false;
    }

    @Override
    public void open(OpenContext context) {
        restarted = getRuntimeContext().getTaskInfo().getAttemptNumber() > 0;
    }

    @Override
    public Traced<PartitionRecord> map(Traced<PartitionRecord> traced) {
        String partition = traced.origin().partition();
        long sequence = traced.origin().sequence();
        long now = System.nanoTime();
        if (!restarted) {
            READ_BEFORE.merge(partition, sequence, Math::max);
            long completed = checkpointCompletedNanos;
            if (completed > 0
                    && now - completed >= afterCheckpointNanos
                    && FAULTS.armed() == null
                    && FAULTS.fired() == 0) {
                FAULTS.armAfter(Point.APPLIED_SEND, 0);
            }
            return traced;
        }
        FIRST_READ_AFTER.compareAndSet(0, now);
        Long before = READ_BEFORE.get(partition);
        if (before != null && sequence <= before) {
            REREAD.incrementAndGet();
        } else {
            FIRST_NEW_READ_AFTER.compareAndSet(0, now);
        }
        return traced;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        // Only a checkpoint taken while records flow: one before the producer started would make
        // the re-read everything since the start, not the time since the checkpoint.
        if (!restarted && checkpointCompletedNanos == 0 && !READ_BEFORE.isEmpty()) {
            checkpointCompletedNanos = System.nanoTime();
        }
    }
}
