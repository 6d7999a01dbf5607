package io.idempotent.flink.origin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.checkpoint.PendingCheckpoint;
import io.idempotent.flink.stream.PartitionRecord;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.OperatorTransformation;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.api.SavepointWriter;
import org.apache.flink.state.api.functions.KeyedStateBootstrapFunction;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Proves design.md row F43: a savepoint whose keyed state holds {@code Traced<PartitionRecord>}
 * values, written by 0.1.0 (when {@code Traced} and its serializers lived in the source package,
 * and the savepoint names their snapshot classes there), restores with today's code and reads back
 * every value, origin and replay included.
 *
 * <p>Written once with {@code -Dupgrade.regenerate=true -Dtest=TracedStateUpgradeITCase} on the
 * version the directory is named after; never regenerated after a change to the code under test.
 */
class TracedStateUpgradeITCase {

    private static final Path SAVEPOINT = Path.of("src/test/resources/upgrade/0.1.0-traced-state");

    private static final String OPERATOR = "remember";

    private static final TypeInformation<Traced<PartitionRecord>> TYPE =
            TypeInformation.of(new TypeHint<Traced<PartitionRecord>>() {});

    private static final ValueStateDescriptor<Traced<PartitionRecord>> LAST =
            new ValueStateDescriptor<>("last", TYPE);

    /** One value per key (the partition): one plain, one replaying a pending range. */
    static List<Traced<PartitionRecord>> values() {
        PendingCheckpoint replaying =
                new PendingCheckpoint(
                        SequenceRange.of(5, 9),
                        BatchId.of(new StreamPartition("orders", "3"), SequenceRange.of(5, 9)),
                        "orders/3/5-9.batch");
        return List.of(
                new Traced<>(
                        new Origin("orders", "0", 41, null, 0),
                        new PartitionRecord("0", 41, null, utf8("{\"n\":41}"), 1_700_000_000_000L)),
                new Traced<>(
                        new Origin("orders", "3", 7, replaying, 1),
                        new PartitionRecord(
                                "3", 7, utf8("key"), utf8("{\"n\":7}"), 1_700_000_000_001L)));
    }

    @Test
    @EnabledIfSystemProperty(named = "upgrade.regenerate", matches = "true")
    void writeTheStateOfThisVersion() throws Exception {
        assumeFalse(Files.exists(SAVEPOINT), SAVEPOINT + " exists; delete it to write it again");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        SavepointWriter.newSavepoint(env, new HashMapStateBackend(), 128)
                .withOperator(
                        OperatorIdentifier.forUid(OPERATOR),
                        OperatorTransformation.bootstrapWith(env.fromData(values(), TYPE))
                                .keyBy(traced -> traced.value().partition())
                                .transform(new Remember()))
                .write(SAVEPOINT.toAbsolutePath().toUri().toString());
        env.execute("write traced state");
    }

    @Test
    void keyedTracedStateOfVersion010RestoresWithTodaysSerializers() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        List<Traced<PartitionRecord>> restored = new ArrayList<>();
        SavepointReader.read(
                        env,
                        SAVEPOINT.toAbsolutePath().toUri().toString(),
                        new HashMapStateBackend())
                .readKeyedState(OperatorIdentifier.forUid(OPERATOR), new Recall())
                .executeAndCollect()
                .forEachRemaining(restored::add);
        assertThat(restored).containsExactlyInAnyOrderElementsOf(values());
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Keeps each partition's value in keyed state. */
    static final class Remember
            extends KeyedStateBootstrapFunction<String, Traced<PartitionRecord>> {
        private transient ValueState<Traced<PartitionRecord>> last;

        @Override
        public void open(OpenContext context) {
            last = getRuntimeContext().getState(LAST);
        }

        @Override
        public void processElement(Traced<PartitionRecord> value, Context context)
                throws Exception {
            last.update(value);
        }
    }

    /** Reads each partition's value back. */
    static final class Recall extends KeyedStateReaderFunction<String, Traced<PartitionRecord>> {
        private transient ValueState<Traced<PartitionRecord>> last;

        @Override
        public void open(OpenContext context) {
            last = getRuntimeContext().getState(LAST);
        }

        @Override
        public void readKey(String key, Context context, Collector<Traced<PartitionRecord>> out)
                throws Exception {
            out.collect(last.value());
        }
    }
}
