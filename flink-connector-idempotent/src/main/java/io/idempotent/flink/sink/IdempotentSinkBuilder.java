package io.idempotent.flink.sink;

import io.idempotent.flink.checkpoint.CheckpointStoreFactory;
import io.idempotent.flink.checkpoint.SinkScopedStore;
import io.idempotent.flink.destination.DestinationFactory;
import io.idempotent.flink.sink.writer.WriterSettings;
import io.idempotent.flink.util.Serializability;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.ReadableConfig;

/** Builds an {@link IdempotentSink}; {@link #build()} checks that everything is there. */
@PublicEvolving
public final class IdempotentSinkBuilder<T> {

    private String name;
    private DestinationFactory<T> destinations;
    private CheckpointStoreFactory stores;
    private int batchMaxRecords = IdempotentSinkOptions.BATCH_MAX_RECORDS.defaultValue();
    private MemorySize batchMaxBytes = IdempotentSinkOptions.BATCH_MAX_BYTES.defaultValue();
    private DeliveryMode deliveryMode = IdempotentSinkOptions.DELIVERY_MODE.defaultValue();
    private Duration batchMaxDelay = IdempotentSinkOptions.BATCH_MAX_DELAY.defaultValue();
    private DestinationFactory<DeadLetter<T>> deadLetters;
    private boolean perPartitionMetrics =
            IdempotentSinkOptions.PER_PARTITION_METRICS.defaultValue();

    IdempotentSinkBuilder() {}

    /**
     * The sink's name, required by {@link #build()}: like an operator uid, stable across restarts
     * and upgrades and unique among the sinks that share a checkpoint store or a destination (1 to
     * 64 letters, digits, '.', '_' or '-'). It is part of every batch identity the sink sends and
     * of the key of its checkpoints; renaming a sink starts it afresh.
     */
    public IdempotentSinkBuilder<T> name(String name) {
        this.name = name;
        return this;
    }

    /**
     * The most elements in one batch ({@link IdempotentSinkOptions#BATCH_MAX_RECORDS}, default
     * 10,000): a full batch is delivered at once instead of at the next barrier.
     */
    public IdempotentSinkBuilder<T> batchMaxRecords(int records) {
        this.batchMaxRecords = BatchLimit.requireRecords(records);
        return this;
    }

    /**
     * The most bytes in one batch ({@link IdempotentSinkOptions#BATCH_MAX_BYTES}, default 8 MiB),
     * counted as Flink serializes the sink's input elements: a batch that would grow beyond it is
     * delivered first.
     */
    public IdempotentSinkBuilder<T> batchMaxBytes(MemorySize bytes) {
        this.batchMaxBytes = BatchLimit.requireBytes(bytes);
        return this;
    }

    /**
     * When batches are delivered ({@link IdempotentSinkOptions#DELIVERY_MODE}): {@link
     * DeliveryMode#EAGER} as soon as they are ready (the default), {@link DeliveryMode#BARRIER} at
     * the checkpoint barriers.
     */
    public IdempotentSinkBuilder<T> deliveryMode(DeliveryMode mode) {
        this.deliveryMode = Objects.requireNonNull(mode, "mode");
        return this;
    }

    /**
     * In the eager mode, how long the writer's first element since its last delivery waits for more
     * ({@link IdempotentSinkOptions#BATCH_MAX_DELAY}, default 50 ms; at least 1 ms).
     */
    public IdempotentSinkBuilder<T> batchMaxDelay(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.toMillis() < 1) {
            throw new IllegalArgumentException(
                    "sink.batch.max-delay must be at least 1 ms, not " + delay + ".");
        }
        this.batchMaxDelay = delay;
        return this;
    }

    /**
     * Where elements go that the destination cannot encode (its encoder or binder throws), with
     * their origin and the error, each exactly once; their partition then goes on. Without it such
     * an element stops the job, without restarts, naming its stream, partition and sequence.
     */
    public IdempotentSinkBuilder<T> deadLetters(DestinationFactory<DeadLetter<T>> deadLetters) {
        this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
        return this;
    }

    /**
     * Whether the writer's metrics are registered per partition as well as in total ({@link
     * IdempotentSinkOptions#PER_PARTITION_METRICS}, default on); off for thousands of partitions.
     */
    public IdempotentSinkBuilder<T> perPartitionMetrics(boolean enabled) {
        this.perPartitionMetrics = enabled;
        return this;
    }

    /** Applies the {@link IdempotentSinkOptions} that {@code config} sets. */
    public IdempotentSinkBuilder<T> options(ReadableConfig config) {
        config.getOptional(IdempotentSinkOptions.BATCH_MAX_RECORDS)
                .ifPresent(this::batchMaxRecords);
        config.getOptional(IdempotentSinkOptions.BATCH_MAX_BYTES).ifPresent(this::batchMaxBytes);
        config.getOptional(IdempotentSinkOptions.DELIVERY_MODE).ifPresent(this::deliveryMode);
        config.getOptional(IdempotentSinkOptions.BATCH_MAX_DELAY).ifPresent(this::batchMaxDelay);
        config.getOptional(IdempotentSinkOptions.PER_PARTITION_METRICS)
                .ifPresent(this::perPartitionMetrics);
        return this;
    }

    /** Where batches go. Required. */
    public IdempotentSinkBuilder<T> destination(DestinationFactory<T> destinations) {
        this.destinations = Objects.requireNonNull(destinations, "destinations");
        return this;
    }

    /**
     * The partition checkpoint store. Required by {@link #build()}: RocksDB for one JVM, PostgreSQL
     * for a cluster of several processes. Give the {@code IdempotentSource} the same store, so that
     * it replays pending ranges.
     */
    public IdempotentSinkBuilder<T> checkpointStore(CheckpointStoreFactory stores) {
        this.stores = Objects.requireNonNull(stores, "stores");
        return this;
    }

    /** A sink of {@code Traced} elements with origin identities and the checkpoint store. */
    public IdempotentSink<T> build() {
        if (name == null) {
            throw new IllegalStateException(
                    "The sink needs a name: call name(...) with a name that stays the same across"
                            + " restarts and upgrades and is unique among the sinks that share the"
                            + " checkpoint store or the destination, e.g. name(\"orders-to-db\").");
        }
        try {
            SinkScopedStore.requireValidName(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        if (destinations == null) {
            throw new IllegalStateException(
                    "The sink needs a destination: call destination(...), e.g."
                            + " destination(FileDestination.factory(dir, encoder)).");
        }
        Serializability.requireSerializable(destinations, "destination factory");
        if (stores == null) {
            throw new IllegalStateException(
                    "The sink needs a partition checkpoint store: call checkpointStore(...) with"
                            + " RocksDbCheckpointStore.factory(...) for one JVM or"
                            + " PostgresCheckpointStore.builder()...buildFactory() for a cluster.");
        }
        Serializability.requireSerializable(stores, "checkpoint store factory");
        if (deadLetters != null) {
            Serializability.requireSerializable(deadLetters, "dead-letter destination factory");
        }
        return new IdempotentSink<>(
                new WriterSettings(
                        name,
                        batchLimit(),
                        deliveryMode == DeliveryMode.EAGER ? batchMaxDelay : null,
                        perPartitionMetrics),
                destinations,
                stores,
                deadLetters);
    }

    private BatchLimit batchLimit() {
        return new BatchLimit(batchMaxRecords, batchMaxBytes.getBytes());
    }
}
