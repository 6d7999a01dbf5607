package io.idempotent.flink.bench;

import io.idempotent.flink.origin.Traced;
import io.idempotent.flink.sink.IdempotentSink;
import io.idempotent.flink.source.IdempotentSourceBuilder;
import io.idempotent.flink.stream.PartitionRecord;
import io.idempotent.flink.testutils.OriginLine;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The job the benchmarks and the fault campaign run, built as a user builds one, through the same
 * builders and the sink's pipeline check: an {@code IdempotentSource}, optional pass-through stages
 * (a gate, an injected failure), the processing that turns each record into a line, and whatever
 * sink the caller gives the lines (an {@link IdempotentSink} for ours).
 */
public final class LineJob {

    private static final TypeInformation<Traced<PartitionRecord>> RECORDS =
            TypeInformation.of(new TypeHint<Traced<PartitionRecord>>() {});

    private static final TypeInformation<Traced<String>> LINES =
            TypeInformation.of(new TypeHint<Traced<String>>() {});

    private DataStream<Traced<PartitionRecord>> records;

    private LineJob(DataStream<Traced<PartitionRecord>> records) {
        this.records = records;
    }

    /** Reads with {@code source} (give it the sink's checkpoint store, as a user does). */
    public static LineJob read(StreamExecutionEnvironment env, IdempotentSourceBuilder source) {
        return new LineJob(
                env.fromSource(source.build(), WatermarkStrategy.noWatermarks(), "stream"));
    }

    /** Adds a stage that passes each record on (or fails on purpose). */
    public LineJob through(MapFunction<Traced<PartitionRecord>, Traced<PartitionRecord>> stage) {
        records = records.map(stage).returns(RECORDS);
        return this;
    }

    /** Each record as its {@link OriginLine}, the payload prefixed with the record's timestamp. */
    public DataStream<Traced<String>> lines() {
        return lines(new ToLine());
    }

    /** Each record as {@code processing} makes it. */
    public DataStream<Traced<String>> lines(
            MapFunction<Traced<PartitionRecord>, Traced<String>> processing) {
        return records.map(processing).returns(LINES);
    }

    /**
     * {@code "<partition>:<sequence> <timestamp> <payload>"}: the origin a verifier reads, and the
     * record's timestamp from which the benchmark computes the latency until the line is visible.
     */
    static final class ToLine implements MapFunction<Traced<PartitionRecord>, Traced<String>> {
        @Override
        public Traced<String> map(Traced<PartitionRecord> traced) {
            return traced.map(
                    record ->
                            OriginLine.of(
                                    record.partition(),
                                    record.sequence(),
                                    record.timestamp()
                                            + " "
                                            + new String(
                                                    record.payload(), StandardCharsets.UTF_8)));
        }
    }
}
