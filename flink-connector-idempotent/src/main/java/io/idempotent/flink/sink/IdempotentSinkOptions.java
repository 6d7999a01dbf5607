package io.idempotent.flink.sink;

import static org.apache.flink.configuration.ConfigOptions.key;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;

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

    private IdempotentSinkOptions() {}
}
