package io.idempotent.flink.suites;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.testframe.environment.ClusterControllable;
import org.apache.flink.connector.testframe.environment.TestEnvironment;
import org.apache.flink.connector.testframe.environment.TestEnvironmentSettings;
import org.apache.flink.connector.testframe.external.ExternalSystemDataReader;
import org.apache.flink.connector.testframe.external.sink.DataStreamSinkExternalContext;
import org.apache.flink.connector.testframe.external.sink.DataStreamSinkV2ExternalContext;
import org.apache.flink.connector.testframe.external.sink.TestingSinkSettings;
import org.apache.flink.connector.testframe.testsuites.SinkTestSuiteBase;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.TestTemplate;

/**
 * Flink's sink suite plus what it lacks, in its style (same environment, contexts and semantics): a
 * TaskManager killed while the sink has batches in flight, and the destination's order after a
 * failure. Every inherited test runs unchanged.
 */
abstract class IdempotentSinkSuiteITCaseBase extends SinkTestSuiteBase<String> {

    @TestTemplate
    @DisplayName("Test TaskManager failure")
    public void testTaskManagerFailure(
            TestEnvironment testEnv,
            DataStreamSinkExternalContext<String> externalContext,
            ClusterControllable controller,
            CheckpointingMode semantic)
            throws Exception {
        TestingSinkSettings settings = settings(semantic);
        List<String> data = externalContext.generateTestData(settings, seed());
        StreamExecutionEnvironment env = environment(testEnv, externalContext);
        env.setParallelism(2);
        // The throttle is chained to the source, so that barriers come between records rather
        // than queue behind a buffer full of them.
        env.fromData(data)
                .setParallelism(1)
                .map(new Throttle(10, null))
                .setParallelism(1)
                .returns(Types.STRING)
                .sinkTo(sink(externalContext, settings));
        JobClient job = env.executeAsync("task-manager-failure");

        ExternalSystemDataReader<String> reader = externalContext.createSinkDataReader(settings);
        List<String> seen = new ArrayList<>(reader.poll(Duration.ofMillis(10)));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (seen.isEmpty()) {
            assertThat(System.nanoTime()).as("something delivered in time").isLessThan(deadline);
            Thread.sleep(20);
            seen.addAll(reader.poll(Duration.ofMillis(10)));
        }
        assertThat(seen).as("the kill comes before the end").hasSizeLessThan(data.size());
        controller.triggerTaskManagerFailover(job, () -> {});
        job.getJobExecutionResult().get(120, TimeUnit.SECONDS);

        checkResultWithSemantic(externalContext.createSinkDataReader(settings), data, semantic);
    }

    @TestTemplate
    @DisplayName("Test order after a failure")
    public void testOrderAfterAFailure(
            TestEnvironment testEnv,
            DataStreamSinkExternalContext<String> externalContext,
            CheckpointingMode semantic)
            throws Exception {
        TestingSinkSettings settings = settings(semantic);
        List<String> data = externalContext.generateTestData(settings, seed());
        StreamExecutionEnvironment env = environment(testEnv, externalContext);
        env.setParallelism(1);
        Throttle.FAILED.set(false);
        env.fromData(data)
                .map(new Throttle(5, data.get(data.size() / 2)))
                .returns(Types.STRING)
                .sinkTo(sink(externalContext, settings));
        env.execute("order-after-failure");

        assertThat(Throttle.FAILED).as("the failure fired").isTrue();
        // One subtask: the destination holds the input in its order, each record once.
        assertThat(((DestinationOrder) externalContext).readInDestinationOrder())
                .containsExactlyElementsOf(data);
    }

    private static TestingSinkSettings settings(CheckpointingMode semantic) {
        return TestingSinkSettings.builder().setCheckpointingMode(semantic).build();
    }

    private static long seed() {
        return ThreadLocalRandom.current().nextLong();
    }

    private static StreamExecutionEnvironment environment(
            TestEnvironment testEnv, DataStreamSinkExternalContext<String> context) {
        StreamExecutionEnvironment env =
                testEnv.createExecutionEnvironment(
                        TestEnvironmentSettings.builder()
                                .setConnectorJarPaths(context.getConnectorJarPaths())
                                .build());
        Configuration restarts = new Configuration();
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        restarts.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        env.configure(restarts);
        env.enableCheckpointing(50);
        return env;
    }

    @SuppressWarnings("unchecked")
    private static Sink<String> sink(
            DataStreamSinkExternalContext<String> context, TestingSinkSettings settings) {
        return ((DataStreamSinkV2ExternalContext<String>) context).createSink(settings);
    }

    /**
     * Slows records down by {@code millis} each so that several checkpoints fall within a run, and
     * fails once at {@code failAt} if given (a MiniCluster runs in this JVM, so the static flag is
     * shared).
     */
    static final class Throttle implements MapFunction<String, String> {
        static final AtomicBoolean FAILED = new AtomicBoolean();
        private final long millis;
        private final String failAt;

        Throttle(long millis, String failAt) {
            this.millis = millis;
            this.failAt = failAt;
        }

        @Override
        public String map(String value) throws Exception {
            Thread.sleep(millis);
            if (value.equals(failAt) && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure at " + value);
            }
            return value;
        }
    }
}
