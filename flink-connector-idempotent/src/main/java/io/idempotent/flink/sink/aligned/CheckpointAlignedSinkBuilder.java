package io.idempotent.flink.sink.aligned;

import io.idempotent.flink.checkpoint.SinkScopedStore;
import io.idempotent.flink.destination.DestinationFactory;
import io.idempotent.flink.sink.BatchLimit;
import io.idempotent.flink.sink.DeliveryMode;
import io.idempotent.flink.sink.IdempotentSinkOptions;
import io.idempotent.flink.util.Serializability;
import java.util.Locale;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.ReadableConfig;

/** Builds an {@link CheckpointAlignedSink}; {@link #build()} checks that everything is there. */
@PublicEvolving
public final class CheckpointAlignedSinkBuilder<T> {

    private String name;
    private TypeInformation<T> elementType;
    private DestinationFactory<T> destinations;
    private int batchMaxRecords = IdempotentSinkOptions.BATCH_MAX_RECORDS.defaultValue();
    private MemorySize batchMaxBytes = IdempotentSinkOptions.BATCH_MAX_BYTES.defaultValue();

    CheckpointAlignedSinkBuilder() {}

    /**
     * The sink's name, required: part of every batch identity, so unique among the sinks writing to
     * one destination, and without '/'.
     */
    public CheckpointAlignedSinkBuilder<T> name(String name) {
        this.name = name;
        return this;
    }

    /** The type of the elements, to keep batches in Flink's state until they are sent. Required. */
    public CheckpointAlignedSinkBuilder<T> elementType(TypeInformation<T> elementType) {
        this.elementType = Objects.requireNonNull(elementType, "elementType");
        return this;
    }

    /** Where batches go. Required. */
    public CheckpointAlignedSinkBuilder<T> destination(DestinationFactory<T> destinations) {
        this.destinations = Objects.requireNonNull(destinations, "destinations");
        return this;
    }

    /**
     * The most elements in one batch ({@link IdempotentSinkOptions#BATCH_MAX_RECORDS}, default
     * 10,000): a checkpoint's elements beyond it form further batches.
     */
    public CheckpointAlignedSinkBuilder<T> batchMaxRecords(int records) {
        this.batchMaxRecords = BatchLimit.requireRecords(records);
        return this;
    }

    /**
     * The most bytes in one batch ({@link IdempotentSinkOptions#BATCH_MAX_BYTES}, default 8 MiB),
     * counted as Flink serializes the sink's input elements.
     */
    public CheckpointAlignedSinkBuilder<T> batchMaxBytes(MemorySize bytes) {
        this.batchMaxBytes = BatchLimit.requireBytes(bytes);
        return this;
    }

    /**
     * Applies the batch limits {@code config} sets. This sink sends what a checkpoint holds once
     * the checkpoint completes, so {@code sink.delivery-mode = eager} is refused: its batches have
     * no identity before the checkpoint.
     */
    public CheckpointAlignedSinkBuilder<T> options(ReadableConfig config) {
        config.getOptional(IdempotentSinkOptions.BATCH_MAX_RECORDS)
                .ifPresent(this::batchMaxRecords);
        config.getOptional(IdempotentSinkOptions.BATCH_MAX_BYTES).ifPresent(this::batchMaxBytes);
        config.getOptional(IdempotentSinkOptions.DELIVERY_MODE)
                .filter(mode -> mode != DeliveryMode.BARRIER)
                .ifPresent(
                        mode -> {
                            throw new IllegalArgumentException(
                                    "sink.delivery-mode = "
                                            + mode.name().toLowerCase(Locale.ROOT)
                                            + " needs origin identities (an IdempotentSink of"
                                            + " Traced elements read by an IdempotentSource):"
                                            + " the checkpoint-aligned sink delivers at"
                                            + " completed checkpoints only.");
                        });
        return this;
    }

    public CheckpointAlignedSink<T> build() {
        if (name == null) {
            throw new IllegalStateException(
                    "The sink needs a name: call name(...) with a name that stays the same across"
                            + " restarts and is unique among the sinks writing to one"
                            + " destination, e.g. name(\"totals-to-db\").");
        }
        SinkScopedStore.requireValidName(name);
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
        Serializability.requireSerializable(destinations, "destination factory");
        return new CheckpointAlignedSink<>(
                name,
                new BatchLimit(batchMaxRecords, batchMaxBytes.getBytes()),
                new CommitSide<>(elementType, destinations));
    }
}
