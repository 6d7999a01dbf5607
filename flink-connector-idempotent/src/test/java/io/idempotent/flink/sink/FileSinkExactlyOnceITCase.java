package io.idempotent.flink.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.idempotent.flink.checkpoint.PendingCheckpoint;
import io.idempotent.flink.destination.DestinationFactory;
import io.idempotent.flink.destination.file.FileDestination;
import io.idempotent.flink.testutils.ExactlyOnceVerifier;
import io.idempotent.flink.testutils.FileDestinationReader;
import java.nio.charset.StandardCharsets;
import java.util.List;

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
}
