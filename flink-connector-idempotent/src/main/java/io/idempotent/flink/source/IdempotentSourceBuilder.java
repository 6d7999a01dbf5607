package io.idempotent.flink.source;

import io.idempotent.flink.checkpoint.CheckpointStoreFactory;
import io.idempotent.flink.source.reader.ReaderSettings;
import io.idempotent.flink.stream.PartitionedStreamFactory;
import io.idempotent.flink.util.Serializability;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.configuration.ReadableConfig;

/** Builds an {@link IdempotentSource}; {@link #build()} checks the combination of settings. */
@PublicEvolving
public final class IdempotentSourceBuilder {

    private PartitionedStreamFactory streams;
    private CheckpointStoreFactory stores;
    private StartingPosition startingPosition =
            IdempotentSourceOptions.STARTING_POSITION.defaultValue();
    private Boundedness boundedness = Boundedness.CONTINUOUS_UNBOUNDED;
    private Duration discoveryInterval =
            IdempotentSourceOptions.PARTITION_DISCOVERY_INTERVAL.defaultValue();
    private int maxRecordsPerFetch = IdempotentSourceOptions.MAX_RECORDS_PER_FETCH.defaultValue();
    private int recordMaxFailures = IdempotentSourceOptions.RECORD_MAX_FAILURES.defaultValue();
    private boolean perPartitionMetrics =
            IdempotentSourceOptions.PER_PARTITION_METRICS.defaultValue();
    private Duration idleWait = Duration.ofMillis(50);

    IdempotentSourceBuilder() {}

    /** The stream to read. Required. */
    public IdempotentSourceBuilder stream(PartitionedStreamFactory streams) {
        this.streams = Objects.requireNonNull(streams, "streams");
        return this;
    }

    /** Where partitions start without Flink state. Default {@link StartingPosition#EARLIEST}. */
    public IdempotentSourceBuilder startingFrom(StartingPosition position) {
        this.startingPosition = Objects.requireNonNull(position, "position");
        return this;
    }

    /**
     * The checkpoint store of the {@link io.idempotent.flink.sink.IdempotentSink} this source
     * feeds. Whenever the source is assigned a partition (a start, a restore, a rescale) it looks
     * up the partition's pending range there and replays it, exactly, so that the sink re-sends the
     * same batch; {@link StartingPosition#CHECKPOINT_STORE} also starts from its committed
     * position. Required by {@code IdempotentSink}.
     */
    public IdempotentSourceBuilder checkpointStore(CheckpointStoreFactory stores) {
        this.stores = Objects.requireNonNull(stores, "stores");
        return this;
    }

    /** Stop at the partitions' ends as they are when the job starts. Default: read forever. */
    public IdempotentSourceBuilder bounded() {
        this.boundedness = Boundedness.BOUNDED;
        return this;
    }

    /** How often new partitions are looked for; {@link Duration#ZERO} looks once. Default 10 s. */
    public IdempotentSourceBuilder partitionDiscoveryInterval(Duration interval) {
        Objects.requireNonNull(interval, "interval");
        if (interval.isNegative()) {
            throw new IllegalArgumentException(
                    "The partition discovery interval must not be negative, but is " + interval);
        }
        this.discoveryInterval = interval;
        return this;
    }

    /** Records read per partition in one fetch. Default 1000. */
    public IdempotentSourceBuilder maxRecordsPerFetch(int records) {
        if (records < 1) {
            throw new IllegalArgumentException(
                    "maxRecordsPerFetch must be at least 1, but is " + records + ".");
        }
        this.maxRecordsPerFetch = records;
        return this;
    }

    /** Applies the {@link IdempotentSourceOptions} that {@code config} sets. */
    /**
     * How many times in a row the processing chained to the source may fail on one record before
     * the job stops without restarts, naming the record; 0 leaves the bound to Flink's restart
     * strategy. See {@link IdempotentSourceOptions#RECORD_MAX_FAILURES}.
     */
    public IdempotentSourceBuilder recordMaxFailures(int failures) {
        if (failures < 0) {
            throw new IllegalArgumentException(
                    "recordMaxFailures must be 0 (no bound) or more, but is " + failures + ".");
        }
        this.recordMaxFailures = failures;
        return this;
    }

    /**
     * Whether the reader's metrics are registered per partition ({@link
     * IdempotentSourceOptions#PER_PARTITION_METRICS}, default on); off for thousands of partitions.
     */
    public IdempotentSourceBuilder perPartitionMetrics(boolean enabled) {
        this.perPartitionMetrics = enabled;
        return this;
    }

    public IdempotentSourceBuilder options(ReadableConfig config) {
        config.getOptional(IdempotentSourceOptions.STARTING_POSITION).ifPresent(this::startingFrom);
        if (config.get(IdempotentSourceOptions.BOUNDED)) {
            bounded();
        }
        config.getOptional(IdempotentSourceOptions.PARTITION_DISCOVERY_INTERVAL)
                .ifPresent(this::partitionDiscoveryInterval);
        config.getOptional(IdempotentSourceOptions.MAX_RECORDS_PER_FETCH)
                .ifPresent(this::maxRecordsPerFetch);
        config.getOptional(IdempotentSourceOptions.RECORD_MAX_FAILURES)
                .ifPresent(this::recordMaxFailures);
        config.getOptional(IdempotentSourceOptions.PER_PARTITION_METRICS)
                .ifPresent(this::perPartitionMetrics);
        return this;
    }

    public IdempotentSource build() {
        if (streams == null) {
            throw new IllegalStateException(
                    "No stream to read: call stream(...), e.g. stream(LocalStream.factory(dir)).");
        }
        if (startingPosition == StartingPosition.CHECKPOINT_STORE && stores == null) {
            throw new IllegalStateException(
                    "Starting from the checkpoint store needs the store: call"
                            + " checkpointStore(...) with the sink's store.");
        }
        Serializability.requireSerializable(streams, "stream factory");
        Serializability.requireSerializable(stores, "checkpoint store factory");
        return new IdempotentSource(
                streams,
                stores,
                new SourceSettings(
                        startingPosition,
                        boundedness,
                        discoveryInterval,
                        new ReaderSettings(
                                maxRecordsPerFetch,
                                idleWait,
                                recordMaxFailures,
                                perPartitionMetrics)));
    }
}
