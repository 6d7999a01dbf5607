package io.idempotent.flink.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.idempotent.flink.checkpoint.PendingCheckpoint;
import io.idempotent.flink.destination.DestinationFactory;
import io.idempotent.flink.destination.ElementEncoder;
import io.idempotent.flink.destination.file.FileDestination;
import io.idempotent.flink.origin.Traced;
import io.idempotent.flink.source.StartingPosition;
import io.idempotent.flink.stream.PartitionRecord;
import io.idempotent.flink.testutils.ExactlyOnceVerifier;
import io.idempotent.flink.testutils.FileDestinationReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/** The end-to-end cases into the file destination; the verifier reads the files on disk. */
class FileSinkExactlyOnceITCase extends ExactlyOnceSinkITCaseBase {

    @Override
    DestinationFactory<String> destination() {
        return FileDestination.factory(outDir, s -> s.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    List<ExactlyOnceVerifier.Origin> holdings() {
        return FileDestinationReader.readAll(outDir);
    }

    @Override
    void assertResent(List<PendingCheckpoint> pending) {
        for (PendingCheckpoint replayed : pending) {
            assertThat(outDir.resolve(replayed.location())).as("re-sent " + replayed).exists();
        }
    }

    /**
     * Proves design.md row F14 on a MiniCluster: a second job with the same sink name on the same
     * store takes the partitions over; the first is fenced at its next write (records appended
     * after the takeover give it one) and fails at once, without restarts (it has five), naming the
     * cause; what the destination holds, once a third job delivered the appended records, is still
     * every record once.
     */
    @Test
    void aSecondJobOnTheSameStoreFencesTheFirstWhichStopsWithoutRestarting() throws Exception {
        Faults.armAfter(Faults.Fault.NONE, 0);
        JobClient first = start(StartingPosition.EARLIEST, 2, null);
        awaitCommitted(false);
        run(StartingPosition.CHECKPOINT_STORE, 2, true);
        // Its next write: records appended now give the first job one even if it had read
        // everything before the second took its partitions over.
        append(RECORDS / 2);
        assertThatThrownBy(() -> first.getJobExecutionResult().get(60, TimeUnit.SECONDS))
                .hasStackTraceContaining(SuppressRestartsException.class.getName())
                .hasStackTraceContaining("Sink '" + SINK + "' lost partition")
                .hasStackTraceContaining("to a newer owner");
        run(StartingPosition.CHECKPOINT_STORE, 2, true); // the appended records, from the store
        assertExactlyOnce();
    }

    /**
     * Proves design.md row F21 end to end: an element the destination can never encode goes to the
     * dead letters exactly once, through an injected failure and its restart, and every other
     * record arrives exactly once, in order.
     */
    @Test
    void aPoisonElementGoesToTheDeadLettersOnceAndTheRestArrivesExactlyOnce() throws Exception {
        Map<String, List<Long>> expected = new TreeMap<>(expected());
        long poison = expected.get("0").get(10);
        String poisonLine = "0:" + poison + " ";
        List<Long> rest = new ArrayList<>(expected.get("0"));
        rest.remove(poison);
        expected.put("0", rest);
        Path deadDir = dir.resolve("dead");
        Faults.armAfter(Faults.Fault.APPLIED_THEN_TIMEOUT, 2);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.enableCheckpointing(50);
        env.fromSource(
                        source(StartingPosition.EARLIEST, true),
                        WatermarkStrategy.noWatermarks(),
                        "events")
                .map(new Processing())
                .returns(TypeInformation.of(new TypeHint<Traced<String>>() {}))
                .sinkTo(
                        Faults.around(
                                IdempotentSink.<String>builder()
                                        .name(SINK)
                                        .deliveryMode(deliveryMode())
                                        .batchMaxDelay(Duration.ofMillis(5))
                                        .destination(
                                                Faults.around(
                                                        FileDestination.factory(
                                                                outDir,
                                                                new RefusingEncoder(poisonLine))))
                                        .deadLetters(
                                                FileDestination.factory(
                                                        deadDir,
                                                        ExactlyOnceSinkITCaseBase::letterLine))
                                        .checkpointStore(Faults.around(store()))
                                        .build()));
        env.execute("dead-letters");

        assertThat(Faults.fired()).isEqualTo(1);
        ExactlyOnceVerifier.Result result = ExactlyOnceVerifier.verify(expected, holdings());
        assertThat(result.exactlyOnce()).as(result.toString()).isTrue();
        assertThat(FileDestinationReader.readAll(deadDir))
                .containsExactly(new ExactlyOnceVerifier.Origin("0", poison));
    }

    /**
     * Proves design.md row F22: a record the user's processing can never handle fails the job with
     * its stream, partition and sequence named, and after five failures in a row the job stops
     * without restarting, although Flink's restart strategy would restart it 200 times.
     */
    @Test
    void aRecordTheProcessingCannotHandleStopsTheJobNamingItAfterBoundedRestarts() {
        long poison = expected().get("0").get(10);
        Configuration jobConf = new Configuration();
        jobConf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        jobConf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 200);
        jobConf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ZERO);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(jobConf);
        env.setParallelism(2);
        // No checkpoints: each restart begins again from the start. (Restarts without delay while
        // checkpoints are triggered every 50 ms once crashed Flink 2.3's JobManager: "Some subtask
        // gateway can be closed while others cannot".)
        env.fromSource(
                        source(StartingPosition.EARLIEST, true),
                        WatermarkStrategy.noWatermarks(),
                        "events")
                .map(new FailingOn("0", poison))
                .returns(TypeInformation.of(new TypeHint<Traced<String>>() {}))
                .sinkTo(tracedSink());
        assertThatThrownBy(() -> env.execute("poison"))
                .hasStackTraceContaining(SuppressRestartsException.class.getName())
                .hasStackTraceContaining(
                        "The processing failed on record "
                                + stream.name()
                                + "/0 sequence "
                                + poison)
                .hasStackTraceContaining("5 times in a row")
                .hasStackTraceContaining("cannot handle " + poison);
        assertThat(FailingOn.FAILURES.get()).isEqualTo(5);
    }

    /** The test's processing, failing on one record every time it meets it. */
    private static final class FailingOn
            implements MapFunction<Traced<PartitionRecord>, Traced<String>> {
        static final AtomicInteger FAILURES = new AtomicInteger();

        private final String partition;
        private final long sequence;

        FailingOn(String partition, long sequence) {
            this.partition = partition;
            this.sequence = sequence;
            FAILURES.set(0);
        }

        @Override
        public Traced<String> map(Traced<PartitionRecord> traced) throws Exception {
            if (traced.origin().partition().equals(partition)
                    && traced.origin().sequence() == sequence) {
                FAILURES.incrementAndGet();
                throw new IllegalArgumentException("cannot handle " + sequence);
            }
            return new Processing().map(traced);
        }
    }

    /** Encodes lines as UTF-8, except the line that starts with {@code poison}. */
    private record RefusingEncoder(String poison) implements ElementEncoder<String> {
        @Override
        public byte[] encode(String line) {
            if (line.startsWith(poison)) {
                throw new IllegalArgumentException("poison");
            }
            return line.getBytes(StandardCharsets.UTF_8);
        }
    }
}
