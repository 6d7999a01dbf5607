package io.idempotent.flink.bench;

import io.idempotent.flink.storage.WriteDurability;
import java.time.Duration;
import javax.annotation.Nullable;

/** One configuration of the same job: where it reads, where and how it writes. */
record Variant(
        String group,
        Source source,
        Target target,
        @Nullable WriteDurability store,
        Duration checkpointInterval) {

    enum Source {
        LOCAL,
        KAFKA
    }

    enum Target {
        DISCARD("discarding sink"),
        FILES("files"),
        POSTGRES("PostgreSQL"),
        HTTP("HTTP"),
        KAFKA_AT_LEAST_ONCE("KafkaSink AT_LEAST_ONCE"),
        KAFKA_EXACTLY_ONCE("KafkaSink EXACTLY_ONCE");

        final String label;

        Target(String label) {
            this.label = label;
        }
    }

    /** Ours: the exactly-once sink, at barriers (B) or eager (E). */
    boolean ours() {
        return group.equals("B") || group.equals("E");
    }

    String name() {
        String what =
                switch (group) {
                    case "A" -> "at-least-once " + target.label;
                    case "L" -> "at-least-once eager " + target.label;
                    case "B" -> "ours " + target.label + ", store " + store.name().toLowerCase();
                    case "E" ->
                            "ours eager " + target.label + ", store " + store.name().toLowerCase();
                    case "C" -> target.label;
                    default -> "ceiling (" + target.label + ")";
                };
        return group + " " + what + (source == Source.KAFKA ? ", from Kafka" : "");
    }

    String nameWithInterval() {
        return name() + " @" + checkpointInterval.toSeconds() + "s";
    }
}
