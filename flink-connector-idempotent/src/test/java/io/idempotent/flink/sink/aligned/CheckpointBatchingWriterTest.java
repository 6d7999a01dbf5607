package io.idempotent.flink.sink.aligned;

import static org.assertj.core.api.Assertions.assertThat;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.sink.BatchLimit;
import io.idempotent.flink.sink.ElementSizer;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.metrics.SimpleCounter;
import org.junit.jupiter.api.Test;

class CheckpointBatchingWriterTest {

    private static final ElementSizer<String> SIZER = new ElementSizer<>(StringSerializer.INSTANCE);

    private final SimpleCounter sent = new SimpleCounter();

    /**
     * the checkpoint-aligned sink's batches of one barrier are cut at the limit, each its own
     * identity.
     */
    @Test
    void checkpointBatchesAreCutAtTheLimits() {
        CheckpointBatchingWriter<String> byRecords =
                new CheckpointBatchingWriter<>(
                        "totals", 0, sent, new BatchLimit(3, Long.MAX_VALUE), SIZER);
        for (int i = 0; i < 7; i++) {
            byRecords.write("e" + i, null);
        }
        List<BatchCommittable<String>> batches = new ArrayList<>(byRecords.prepareCommit());
        assertThat(batches).extracting(b -> b.elements().size()).containsExactly(3, 3, 1);
        assertThat(batches)
                .extracting(
                        b ->
                                b.id().batchId()
                                        .value()
                                        .substring(b.id().batchId().value().lastIndexOf('/')))
                .containsExactly("/0-0", "/1-1", "/2-2");

        long one = SIZER.sizeOf("a");
        CheckpointBatchingWriter<String> byBytes =
                new CheckpointBatchingWriter<>(
                        "totals", 0, sent, new BatchLimit(100, 2 * one), SIZER);
        byBytes.write("a", null);
        byBytes.write("b", null);
        byBytes.write("c", null);
        assertThat(byBytes.prepareCommit())
                .extracting(b -> b.elements().size())
                .containsExactly(2, 1);
    }

    @Test
    void checkpointIdentitiesNeverRepeatAcrossIncarnations() {
        CheckpointBatchingWriter<String> first =
                new CheckpointBatchingWriter<>(
                        "totals", 2, sent, new BatchLimit(100, Long.MAX_VALUE), SIZER);
        CheckpointBatchingWriter<String> second =
                new CheckpointBatchingWriter<>(
                        "totals", 2, sent, new BatchLimit(100, Long.MAX_VALUE), SIZER);
        first.write("a", null);
        second.write("a", null);
        BatchId one = first.prepareCommit().iterator().next().id().batchId();
        BatchId other = second.prepareCommit().iterator().next().id().batchId();
        assertThat(one).isNotEqualTo(other);
        assertThat(one.value()).startsWith("sink%3Atotals/2-").endsWith("/0-0");
        first.write("b", null);
        assertThat(first.prepareCommit().iterator().next().id().batchId().value()).endsWith("/1-1");
    }
}
