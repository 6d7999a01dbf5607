package io.idempotent.flink.sink;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.idempotent.flink.checkpoint.InMemoryCheckpointStore;
import io.idempotent.flink.destination.file.FileDestination;
import io.idempotent.flink.origin.Traced;
import io.idempotent.flink.source.IdempotentSource;
import io.idempotent.flink.stream.PartitionRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pipelines that origin identities cannot serve are refused while the job is built, with what to
 * change, instead of failing (or looping) after a restore. Proves design.md rows F8 (build-time
 * part), F12 and F13. Each job is submitted to a local MiniCluster: a refused one fails when it is
 * started, before a task runs; an accepted one runs (its bounded source reads the empty stream).
 */
class PipelineCheckITCase {

    @TempDir Path dir;
    private StreamFixture stream;
    private StreamExecutionEnvironment env;

    @BeforeEach
    void setUp() {
        stream = StreamFixture.local(dir.resolve("stream"), 2);
        env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.enableCheckpointing(1000);
    }

    private DataStream<Traced<String>> source() {
        return tagged(
                env.fromSource(
                        IdempotentSource.builder().stream(stream.factory())
                                .checkpointStore(InMemoryCheckpointStore::new)
                                .bounded()
                                .build(),
                        WatermarkStrategy.noWatermarks(),
                        "events"));
    }

    private static DataStream<Traced<String>> tagged(DataStream<Traced<PartitionRecord>> records) {
        return records.map(t -> t.map(r -> new String(r.payload(), StandardCharsets.UTF_8)))
                .returns(TypeInformation.of(new TypeHint<Traced<String>>() {}));
    }

    private IdempotentSink<String> sink(String name) {
        return IdempotentSink.<String>builder()
                .name(name)
                .destination(
                        FileDestination.factory(
                                dir.resolve("out"), s -> s.getBytes(StandardCharsets.UTF_8)))
                .checkpointStore(InMemoryCheckpointStore::new)
                .build();
    }

    @Test
    void aSourceFeedingTwoIdempotentSinksIsRefused() {
        DataStream<Traced<String>> events = source();
        events.sinkTo(sink("to-files"));
        events.sinkTo(sink("to-archive"));
        assertThatThrownBy(() -> env.execute())
                .hasStackTraceContaining("An IdempotentSource feeds two IdempotentSinks")
                .hasStackTraceContaining("Give each sink its own IdempotentSource");
    }

    @Test
    void twoSourcesOfOneStreamFeedTwoSinks() {
        source().sinkTo(sink("to-files"));
        source().sinkTo(sink("to-archive"));
        assertThatCode(() -> env.execute()).doesNotThrowAnyException();
    }

    @Test
    void aRedistributionIsRefusedWhenTheJobIsBuilt() {
        source().keyBy(t -> t.value()).sinkTo(sink("keyed"));
        assertThatThrownBy(() -> env.execute())
                .hasStackTraceContaining("the pipeline redistributes records")
                .hasStackTraceContaining("CheckpointAlignedSink.builder()");
    }

    @Test
    void asyncIoBetweenSourceAndSinkIsRefused() {
        AsyncDataStream.orderedWait(source(), new Echo(), 1, TimeUnit.SECONDS)
                .returns(TypeInformation.of(new TypeHint<Traced<String>>() {}))
                .sinkTo(sink("async"));
        assertThatThrownBy(() -> env.execute())
                .hasStackTraceContaining("an async I/O operator")
                .hasStackTraceContaining("re-emits the elements it had in flight");
    }

    @Test
    void unalignedCheckpointsAcrossAnUnchainedEdgeAreRefused() {
        env.getCheckpointConfig().enableUnalignedCheckpoints();
        source().map(t -> t)
                .returns(TypeInformation.of(new TypeHint<Traced<String>>() {}))
                .disableChaining()
                .sinkTo(sink("unaligned"));
        assertThatThrownBy(() -> env.execute())
                .hasStackTraceContaining("unaligned checkpoints are on")
                .hasStackTraceContaining("starts a new chain");
    }

    @Test
    void unalignedCheckpointsOnAChainedPipelineAreAccepted() {
        env.getCheckpointConfig().enableUnalignedCheckpoints();
        source().sinkTo(sink("chained"));
        assertThatCode(() -> env.execute()).doesNotThrowAnyException();
    }

    /** Hands each element back asynchronously. */
    private static final class Echo extends RichAsyncFunction<Traced<String>, Traced<String>> {
        @Override
        public void asyncInvoke(Traced<String> input, ResultFuture<Traced<String>> result) {
            result.complete(Collections.singletonList(input));
        }
    }
}
