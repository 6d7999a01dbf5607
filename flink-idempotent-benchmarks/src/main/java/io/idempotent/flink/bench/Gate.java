package io.idempotent.flink.bench;

import io.idempotent.flink.origin.Traced;
import io.idempotent.flink.stream.PartitionRecord;
import org.apache.flink.api.common.functions.MapFunction;

/**
 * For the steady throughput: passes records through, and while shut holds each task's next record
 * back, so that a backlog can be appended to a running job whose partitions are all taken over and
 * drained from one instant on. Static state: the benchmark's jobs run in its own JVM, one at a
 * time.
 */
final class Gate implements MapFunction<Traced<PartitionRecord>, Traced<PartitionRecord>> {

    private static final Object LOCK = new Object();
    private static volatile boolean shut;
    private static int held;

    static void shut() {
        synchronized (LOCK) {
            shut = true;
        }
    }

    static void open() {
        synchronized (LOCK) {
            shut = false;
            LOCK.notifyAll();
        }
    }

    /** How many tasks wait at the gate now. */
    static int held() {
        synchronized (LOCK) {
            return held;
        }
    }

    @Override
    public Traced<PartitionRecord> map(Traced<PartitionRecord> record) throws InterruptedException {
        if (shut) {
            synchronized (LOCK) {
                held++;
                try {
                    while (shut) {
                        LOCK.wait();
                    }
                } finally {
                    held--;
                }
            }
        }
        return record;
    }
}
