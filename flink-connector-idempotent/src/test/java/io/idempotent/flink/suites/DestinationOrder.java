package io.idempotent.flink.suites;

import java.util.List;

/** A sink context that can read everything the destination holds in the destination's order. */
interface DestinationOrder {

    List<String> readInDestinationOrder();
}
