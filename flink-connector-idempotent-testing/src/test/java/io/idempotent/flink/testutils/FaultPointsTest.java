package io.idempotent.flink.testutils;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class FaultPointsTest {

    enum Point {
        SEND,
        STORE
    }

    @Test
    void firesOnceAfterItsEventsAtItsPointOnly() {
        FaultPoints<Point> faults = new FaultPoints<>();
        faults.armAfter(Point.SEND, 2);
        assertThat(faults.fires(Point.STORE)).isFalse();
        assertThat(faults.fires(Point.SEND)).isFalse();
        assertThat(faults.fires(Point.SEND)).isFalse();
        assertThat(faults.fires(Point.SEND)).isTrue();
        assertThat(faults.fires(Point.SEND)).isFalse();
        assertThat(faults.fired()).isEqualTo(1);
        assertThat(faults.armed()).isNull();
    }

    @Test
    void firesTheArmedNumberOfTimes() {
        FaultPoints<Point> faults = new FaultPoints<>();
        faults.armTimes(Point.STORE, 3);
        List<Boolean> fired = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            fired.add(faults.fires(Point.STORE));
        }
        assertThat(fired).containsExactly(true, true, true, false, false);
        assertThat(faults.fired()).isEqualTo(3);
    }

    @Test
    void firesOnceAcrossThreads() {
        FaultPoints<Point> faults = new FaultPoints<>();
        faults.armAfter(Point.SEND, 100);
        AtomicInteger fired = new AtomicInteger();
        IntStream.range(0, 10_000)
                .parallel()
                .forEach(
                        i -> {
                            if (faults.fires(Point.SEND)) {
                                fired.incrementAndGet();
                            }
                        });
        assertThat(fired.get()).isEqualTo(1);
        assertThat(faults.fired()).isEqualTo(1);
    }

    @Test
    void disarmedFiresNothing() {
        FaultPoints<Point> faults = new FaultPoints<>();
        faults.armAfter(Point.SEND, 0);
        faults.disarm();
        assertThat(faults.fires(Point.SEND)).isFalse();
    }
}
