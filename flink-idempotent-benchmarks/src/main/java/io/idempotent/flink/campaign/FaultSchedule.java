package io.idempotent.flink.campaign;

import io.idempotent.flink.testutils.FaultPoints;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.annotation.Nullable;

/**
 * The faults of one campaign cell, one armed at a time: a kind and a countdown of events at its
 * point, both drawn from the seeded random, so that a seed replays the same faults in the same
 * order. Static: the cell's job runs on a local cluster in this JVM, and every task reaches the
 * same schedule.
 */
final class FaultSchedule {

    private static Random random = new Random(0);
    private static List<FaultKind> kinds = List.of();
    private static long recordSpacing = 1;
    private static int left;

    /** The fault armed now and its countdown: the fault kit's trigger. */
    private static final FaultPoints<FaultKind> ARMED = new FaultPoints<>();

    private static final Map<FaultKind, Integer> FIRED = new EnumMap<>(FaultKind.class);

    private FaultSchedule() {}

    /**
     * Arms {@code faults} faults of {@code kinds}, drawn from {@code random}; a fault at a record
     * comes every {@code recordSpacing} records on average, the others within a few events.
     */
    static synchronized void start(
            Random random, List<FaultKind> kinds, int faults, long recordSpacing) {
        FaultSchedule.random = random;
        FaultSchedule.kinds = kinds;
        FaultSchedule.recordSpacing = Math.max(1, recordSpacing);
        FIRED.clear();
        left = faults;
        armNext();
    }

    /** Disarms: what is left does not fire (the cell is over). */
    static synchronized void stop() {
        ARMED.disarm();
        left = 0;
    }

    /** The fault that strikes at this event of {@code point}, if one does. */
    @Nullable
    static synchronized FaultKind at(FaultKind.Point point) {
        FaultKind fired = ARMED.armed();
        if (fired == null || fired.point != point || !ARMED.fires(fired)) {
            return null;
        }
        FIRED.merge(fired, 1, Integer::sum);
        armNext();
        return fired;
    }

    static synchronized Map<FaultKind, Integer> fired() {
        Map<FaultKind, Integer> copy = new EnumMap<>(FaultKind.class);
        copy.putAll(FIRED);
        return copy;
    }

    private static void armNext() {
        if (left == 0) {
            ARMED.disarm();
            return;
        }
        left--;
        FaultKind next = kinds.get(random.nextInt(kinds.size()));
        // It fires at the countdown-th event of its point.
        long countdown =
                next.point == FaultKind.Point.RECORD
                        ? 1 + (long) (random.nextDouble() * 2 * recordSpacing)
                        : 1 + random.nextInt(next.point == FaultKind.Point.BARRIER ? 3 : 6);
        ARMED.armAfter(next, Math.toIntExact(countdown - 1));
    }
}
