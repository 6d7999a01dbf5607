package io.idempotent.flink.sink;

import io.idempotent.flink.checkpoint.CheckpointStoreFactory;
import io.idempotent.flink.destination.DestinationFactory;
import io.idempotent.flink.util.Serializability;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/** Builds an {@link IdempotentSink}; {@link #build()} checks that everything is there. */
@PublicEvolving
public final class IdempotentSinkBuilder<T> {

    private TypeInformation<T> elementType;
    private DestinationFactory<T> destinations;
    private CheckpointStoreFactory stores;

    IdempotentSinkBuilder() {}

    /** The type of the values inside the {@code Traced} elements, to checkpoint batches. */
    public IdempotentSinkBuilder<T> elementType(TypeInformation<T> elementType) {
        this.elementType = Objects.requireNonNull(elementType, "elementType");
        return this;
    }

    /** Where batches go. Required. */
    public IdempotentSinkBuilder<T> destination(DestinationFactory<T> destinations) {
        this.destinations = Objects.requireNonNull(destinations, "destinations");
        return this;
    }

    /**
     * The partition checkpoint store. Required: RocksDB for one JVM, PostgreSQL for a cluster of
     * several processes.
     */
    public IdempotentSinkBuilder<T> checkpointStore(CheckpointStoreFactory stores) {
        this.stores = Objects.requireNonNull(stores, "stores");
        return this;
    }

    public IdempotentSink<T> build() {
        if (elementType == null) {
            throw new IllegalStateException(
                    "The sink needs the element type to checkpoint batches: call"
                            + " elementType(...), e.g. elementType(Types.STRING).");
        }
        if (destinations == null) {
            throw new IllegalStateException(
                    "The sink needs a destination: call destination(...), e.g."
                            + " destination(FileDestination.factory(dir, encoder)).");
        }
        if (stores == null) {
            throw new IllegalStateException(
                    "The sink needs a partition checkpoint store: call checkpointStore(...) with"
                            + " RocksDbCheckpointStore.factory(...) for one JVM or"
                            + " PostgresCheckpointStore.builder()...buildFactory() for a cluster.");
        }
        Serializability.requireSerializable(destinations, "destination factory");
        Serializability.requireSerializable(stores, "checkpoint store factory");
        return new IdempotentSink<>(elementType, destinations, stores);
    }
}
