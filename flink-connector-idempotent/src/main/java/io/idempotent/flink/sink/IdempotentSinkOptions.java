package io.idempotent.flink.sink;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.time.Duration;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.MemorySize;

/** The settings of {@link IdempotentSink}, with their defaults; its builder starts from them. */
@PublicEvolving
public final class IdempotentSinkOptions {

    public static final ConfigOption<Integer> BATCH_MAX_RECORDS =
            key("sink.batch.max-records")
                    .intType()
                    .defaultValue(10_000)
                    .withDescription(
                            "The most elements in one batch, and so in one pending range and its"
                                    + " replay. A partition's batch that is full is delivered at"
                                    + " once (one store write), not at the next barrier, so that"
                                    + " no backlog forms a batch too large to send. A record's"
                                    + " elements (a flatMap's) are never split between batches.");

    public static final ConfigOption<MemorySize> BATCH_MAX_BYTES =
            key("sink.batch.max-bytes")
                    .memoryType()
                    .defaultValue(MemorySize.ofMebiBytes(8))
                    .withDescription(
                            "The most bytes in one batch, counted as Flink serializes the"
                                    + " sink's input elements (an estimate of what the"
                                    + " destination receives; set it below the destination's"
                                    + " request limit with room for its encoding). A batch that"
                                    + " would grow beyond it is delivered first, as with"
                                    + " sink.batch.max-records; a batch holds at least one"
                                    + " record's elements, however large.");

    public static final ConfigOption<DeliveryMode> DELIVERY_MODE =
            key("sink.delivery-mode")
                    .enumType(DeliveryMode.class)
                    .defaultValue(DeliveryMode.EAGER)
                    .withDescription(
                            "When a partition's batch is delivered: 'eager' as soon as it is ready"
                                    + " (sink.batch.max-delay after the writer's first element"
                                    + " since its last delivery, when full, and at every"
                                    + " checkpoint barrier), independently of the checkpoint"
                                    + " interval; 'barrier' at every checkpoint barrier and when"
                                    + " full. Exactly-once either way.");

    public static final ConfigOption<Duration> BATCH_MAX_DELAY =
            key("sink.batch.max-delay")
                    .durationType()
                    .defaultValue(Duration.ofMillis(50))
                    .withDescription(
                            "In the eager mode, how long the first element the writer took since"
                                    + " its last delivery waits for more before everything it"
                                    + " holds is delivered, with one store write; at least 1 ms."
                                    + " Bounds the store's write rate to one per subtask per"
                                    + " delay, plus one per checkpoint and per full batch.");

    public static final ConfigOption<Boolean> PER_PARTITION_METRICS =
            key("sink.metrics.per-partition")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Whether the writer registers its metrics per partition as well as in"
                                    + " total (batchesSent, batchesResent, repeatsDropped,"
                                    + " batchesAlreadyCommitted, pendingRanges,"
                                    + " committedSequence: 6 series per partition). Off, only the"
                                    + " totals remain: for thousands of partitions per job, as"
                                    + " Kafka's register.consumer.metrics.");

    private IdempotentSinkOptions() {}
}
