package io.idempotent.flink.destination;

import java.io.Serializable;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Creates an {@link IdempotentDestination} in each sink committer. Serializable; holds
 * configuration, never a client.
 */
@PublicEvolving
@FunctionalInterface
public interface DestinationFactory<T> extends Serializable {

    IdempotentDestination<T> create();
}
