package io.idempotent.flink.sink.writer;

import java.time.Duration;
import javax.annotation.Nullable;
import org.apache.flink.api.common.operators.ProcessingTimeService;

/**
 * The eager mode's delivery trigger ({@code sink.delivery-mode = eager}): at most one timer of the
 * task's processing-time service, {@code sink.batch.max-delay} after the first element taken since
 * the last delivery, so deliveries run in the task's mailbox, never in another thread. Without a
 * delay (the settings say so) the writer delivers only at the barriers, and this does nothing.
 */
final class DeliveryTimer {

    @Nullable private final ProcessingTimeService timers;

    /** The delay; 0 at barriers only. */
    private final long maxDelayMillis;

    private final Runnable onTimer;

    /** Whether a timer is registered to deliver (or, when nothing new came, to commit). */
    private boolean set;

    DeliveryTimer(
            @Nullable ProcessingTimeService timers, @Nullable Duration maxDelay, Runnable onTimer) {
        if (maxDelay != null && timers == null) {
            throw new IllegalArgumentException("An eager writer needs the task's timers.");
        }
        this.timers = timers;
        this.maxDelayMillis = maxDelay == null ? 0 : maxDelay.toMillis();
        this.onTimer = onTimer;
    }

    /** Registers the timer, unless one is registered or the writer delivers at barriers only. */
    void schedule() {
        if (maxDelayMillis == 0 || set) {
            return;
        }
        set = true;
        timers.registerTimer(
                timers.getCurrentProcessingTime() + maxDelayMillis,
                time -> {
                    set = false;
                    onTimer.run();
                });
    }
}
