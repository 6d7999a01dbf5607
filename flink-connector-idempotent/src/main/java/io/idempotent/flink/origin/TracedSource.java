package io.idempotent.flink.origin;

import org.apache.flink.annotation.Internal;

/**
 * A source whose elements are {@link Traced} with origins a sink derives batch identities from. The
 * sink tells it, while the job is built, which sink it feeds: the source then replays that sink's
 * pending ranges. Lets the sink find its sources without depending on their implementation.
 */
@Internal
public interface TracedSource {

    /**
     * Called while the job is built by the one sink this source feeds, identified by its name and
     * by the sink object itself; a second, different sink is refused with an error.
     */
    void feeds(String sinkName, Object sinkObject);
}
