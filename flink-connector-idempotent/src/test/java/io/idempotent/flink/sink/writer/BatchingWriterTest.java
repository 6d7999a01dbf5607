package io.idempotent.flink.sink.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.checkpoint.PendingCheckpoint;
import io.idempotent.flink.sink.committer.BatchCommittable;
import io.idempotent.flink.source.Origin;
import io.idempotent.flink.source.Traced;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import java.util.List;
import org.apache.flink.metrics.SimpleCounter;
import org.junit.jupiter.api.Test;

class BatchingWriterTest {

    private static final StreamPartition P0 = new StreamPartition("s", "0");
    private final SimpleCounter sent = new SimpleCounter();
    private final BatchingWriter<String> writer = new BatchingWriter<>(0, sent);

    private void write(String partition, long sequence, PendingCheckpoint replaying, int reader) {
        writer.write(
                new Traced<>(
                        new Origin("s", partition, sequence, replaying, reader),
                        partition + sequence),
                null);
    }

    @Test
    void formsOneBatchPerPartitionBetweenBarriers() {
        write("0", 3, null, 0);
        write("1", 0, null, 0);
        write("0", 4, null, 0);
        write("0", 4, null, 0); // a flatMap's second element of record 4
        write("0", 9, null, 0);
        List<BatchCommittable<String>> batches = List.copyOf(writer.prepareCommit());
        assertThat(batches).extracting(b -> b.id().value()).containsExactly("s/0/3-9", "s/1/0-0");
        assertThat(batches.get(0).sequences()).containsExactly(3L, 4L, 4L, 9L);
        assertThat(sent.getCount()).isEqualTo(5);
        assertThat(writer.prepareCommit()).isEmpty();
    }

    @Test
    void aReplayedRangeFormsExactlyThePendingBatchWhateverWasFilteredOut() {
        PendingCheckpoint pending =
                new PendingCheckpoint(
                        SequenceRange.of(10, 19), BatchId.of(P0, SequenceRange.of(10, 19)), null);
        write("0", 12, pending, 0);
        write("0", 15, pending, 0);
        write("0", 20, null, 0);
        List<BatchCommittable<String>> batches = List.copyOf(writer.prepareCommit());
        assertThat(batches)
                .extracting(BatchCommittable::range)
                .containsExactly(SequenceRange.of(10, 19), SequenceRange.of(20, 20));
        assertThat(batches.get(0).id()).isEqualTo(pending.batchId());
        assertThat(batches.get(0).elements()).containsExactly("012", "015");
    }

    @Test
    void refusesRecordsReadByAnotherSourceSubtask() {
        assertThatThrownBy(() -> write("0", 1, null, 1))
                .hasMessageContaining(
                        "Sink subtask 0 received a record of s/0 read by source subtask 1")
                .hasMessageContaining("buildForUntracedElements");
    }

    @Test
    void refusesRecordsOfAPartitionOutOfOrder() {
        write("0", 5, null, 0);
        assertThatThrownBy(() -> write("0", 4, null, 0))
                .hasMessageContaining("out of order (sequence 4 after 5)");
    }

    @Test
    void checkpointIdentitiesNeverRepeatAcrossIncarnations() {
        CheckpointBatchingWriter<String> first = new CheckpointBatchingWriter<>("totals", 2, sent);
        CheckpointBatchingWriter<String> second = new CheckpointBatchingWriter<>("totals", 2, sent);
        first.write("a", null);
        second.write("a", null);
        BatchId one = first.prepareCommit().iterator().next().id();
        BatchId other = second.prepareCommit().iterator().next().id();
        assertThat(one).isNotEqualTo(other);
        assertThat(one.value()).startsWith("sink%3Atotals/2-").endsWith("/0-0");
        first.write("b", null);
        assertThat(first.prepareCommit().iterator().next().id().value()).endsWith("/1-1");
    }
}
