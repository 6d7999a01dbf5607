package io.idempotent.flink.testutils;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The fault kit's trigger, shared by the tests, the benchmarks and the examples: one fault armed at
 * a time, at a point of the caller's choosing (an enum of where faults may strike: a record, a
 * barrier, before or after a send, a store write), that fires after a number of events at that
 * point, a number of times. Thread-safe: a job's tasks reach one instance (a static field when they
 * run in one JVM, as on a MiniCluster). What a firing does — throw, stall, take a partition over —
 * is the caller's.
 *
 * @param <P> the points where faults may strike
 */
public final class FaultPoints<P extends Enum<P>> {

    private final AtomicReference<P> armed = new AtomicReference<>();
    private final AtomicInteger countdown = new AtomicInteger();
    private final AtomicInteger remaining = new AtomicInteger();
    private final AtomicInteger fired = new AtomicInteger();

    /** Arms {@code point} to fire once, at its event after the next {@code events} ones. */
    public void armAfter(P point, int events) {
        arm(point, events, 1);
    }

    /** Arms {@code point} to fire at each of its next {@code times} events. */
    public void armTimes(P point, int times) {
        arm(point, 0, times);
    }

    private void arm(P point, int events, int times) {
        if (events < 0 || times < 1) {
            throw new IllegalArgumentException(
                    "A fault fires after 0 or more events, 1 or more times, not after "
                            + events
                            + ", "
                            + times
                            + " times");
        }
        fired.set(0);
        armed.set(null);
        countdown.set(events);
        remaining.set(times);
        armed.set(point);
    }

    /** Nothing fires any more; what fired stays counted. */
    public void disarm() {
        armed.set(null);
    }

    /** Disarms and forgets what fired. */
    public void reset() {
        armed.set(null);
        fired.set(0);
    }

    /** The point armed now, or {@code null}. */
    public P armed() {
        return armed.get();
    }

    /**
     * An event at {@code point}: whether the fault armed there fires now. Counts down the events
     * before it fires, then fires as many times as armed, then disarms.
     */
    public boolean fires(P point) {
        if (armed.get() != point || countdown.decrementAndGet() >= 0) {
            return false;
        }
        int left = remaining.getAndUpdate(n -> n > 0 ? n - 1 : 0);
        if (left <= 0) {
            return false;
        }
        if (left == 1) {
            armed.compareAndSet(point, null);
        }
        fired.incrementAndGet();
        return true;
    }

    /** How often a fault fired since it was armed. */
    public int fired() {
        return fired.get();
    }
}
