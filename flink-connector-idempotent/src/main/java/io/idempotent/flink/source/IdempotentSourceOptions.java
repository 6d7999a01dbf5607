package io.idempotent.flink.source;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.time.Duration;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;

/**
 * The source's settings, with their defaults; {@link IdempotentSourceBuilder} starts from them and
 * SQL tables set them by key.
 */
@PublicEvolving
public final class IdempotentSourceOptions {

    public static final ConfigOption<StartingPosition> STARTING_POSITION =
            key("scan.startup.mode")
                    .enumType(StartingPosition.class)
                    .defaultValue(StartingPosition.EARLIEST)
                    .withDescription(
                            "Where a partition starts when there is no Flink state for it:"
                                    + " 'earliest' (its first record), 'latest' (only new records;"
                                    + " a partition that appears while the job runs is read from"
                                    + " its first record) or 'checkpoint_store' (replay its pending range, then go"
                                    + " on after it; DataStream API only).");

    public static final ConfigOption<Boolean> BOUNDED =
            key("scan.bounded")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Stop at the partitions' ends as they are when the job starts,"
                                    + " instead of reading forever.");

    public static final ConfigOption<Duration> PARTITION_DISCOVERY_INTERVAL =
            key("scan.partition-discovery.interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(10))
                    .withDescription(
                            "How often new partitions are looked for; 0 looks once, at start.");

    public static final ConfigOption<Integer> MAX_RECORDS_PER_FETCH =
            key("scan.max-records-per-fetch")
                    .intType()
                    .defaultValue(1_000)
                    .withDescription("Records read from one partition in one fetch; at least 1.");

    public static final ConfigOption<Integer> RECORD_MAX_FAILURES =
            key("scan.record.max-failures")
                    .intType()
                    .defaultValue(5)
                    .withDescription(
                            "How many times in a row the processing chained to the source may"
                                    + " fail on one record before the job stops without restarts,"
                                    + " naming the record's stream, partition and sequence (a"
                                    + " poison record would otherwise restart the job for ever)."
                                    + " Counted in each TaskManager; 0 leaves the bound to Flink's"
                                    + " restart strategy. Every failure names the record.");

    public static final ConfigOption<Boolean> PER_PARTITION_METRICS =
            key("scan.metrics.per-partition")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Whether the reader registers its metrics per partition (lag,"
                                    + " pendingRange, replays: 3 series per partition). Off, only"
                                    + " Flink's standard pendingRecords (the sum of the lags)"
                                    + " remains: for thousands of partitions per job, as Kafka's"
                                    + " register.consumer.metrics.");

    private IdempotentSourceOptions() {}
}
