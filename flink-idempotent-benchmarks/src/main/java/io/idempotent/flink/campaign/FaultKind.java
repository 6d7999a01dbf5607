package io.idempotent.flink.campaign;

/** What the campaign injects, and where it strikes. */
public enum FaultKind {
    PROCESSING(Point.RECORD, true, "the user's processing throws on a record"),
    AT_BARRIER(Point.BARRIER, true, "the task fails at a barrier, after the writer delivered"),
    BEFORE_SEND(
            Point.SEND,
            true,
            "a send fails before it reaches the destination (earlier sends of the delivery went"
                    + " out)"),
    AFTER_SEND(Point.SEND, true, "the destination applies a batch, then the call fails"),
    SLOW_SEND(Point.SEND, false, "a send takes 300 ms"),
    HTTP_5XX(Point.SEND, false, "the HTTP server answers 503 twice; the destination retries"),
    HTTP_TIMEOUT(
            Point.SEND,
            false,
            "the HTTP server applies a batch and answers after the request timed out; the"
                    + " destination retries"),
    STORE_WRITE_FAILS(Point.STORE, true, "a store write fails before it is applied"),
    STORE_ANSWER_LOST(
            Point.STORE,
            true,
            "a store write is applied and its answer lost (the store restarted mid-write)");

    /** Where a fault strikes: each place counts its own events. */
    enum Point {
        RECORD,
        BARRIER,
        SEND,
        STORE
    }

    final Point point;

    /** Whether the fault fails the task (the others are handled by the destination itself). */
    final boolean failsTask;

    final String description;

    FaultKind(Point point, boolean failsTask, String description) {
        this.point = point;
        this.failsTask = failsTask;
        this.description = description;
    }

    /** Whether the kind applies to a destination: the HTTP server's faults need the HTTP one. */
    boolean appliesTo(CampaignCell.Destination destination) {
        return (this != HTTP_5XX && this != HTTP_TIMEOUT)
                || destination == CampaignCell.Destination.HTTP;
    }
}
