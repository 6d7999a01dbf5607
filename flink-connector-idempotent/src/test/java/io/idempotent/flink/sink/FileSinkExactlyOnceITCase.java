package io.idempotent.flink.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.idempotent.flink.checkpoint.PendingCheckpoint;
import io.idempotent.flink.destination.DestinationFactory;
import io.idempotent.flink.destination.file.FileDestination;
import io.idempotent.flink.source.StartingPosition;
import io.idempotent.flink.testutils.ExactlyOnceVerifier;
import io.idempotent.flink.testutils.FileDestinationReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.execution.SuppressRestartsException;
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
     * store takes the partitions over; the first is fenced at its next write and fails at once,
     * without restarts (it has five), naming the cause; what the destination holds is still every
     * record once.
     */
    @Test
    void aSecondJobOnTheSameStoreFencesTheFirstWhichStopsWithoutRestarting() throws Exception {
        Faults.armAfter(Faults.Fault.NONE, 0);
        JobClient first = start(StartingPosition.EARLIEST, 2, null);
        awaitCommitted(false);
        run(StartingPosition.CHECKPOINT_STORE, 2, true);
        assertThatThrownBy(() -> first.getJobExecutionResult().get(60, TimeUnit.SECONDS))
                .hasStackTraceContaining(SuppressRestartsException.class.getName())
                .hasStackTraceContaining("Sink '" + SINK + "' lost partition")
                .hasStackTraceContaining("to a newer owner");
        assertExactlyOnce();
    }
}
