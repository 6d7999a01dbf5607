package io.idempotent.flink.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.checkpoint.InMemoryCheckpointStore;
import io.idempotent.flink.checkpoint.PendingCheckpoint;
import io.idempotent.flink.destination.Batch;
import io.idempotent.flink.destination.IdempotentDestination;
import io.idempotent.flink.destination.SendOutcome;
import io.idempotent.flink.fakes.RecordingDestination;
import io.idempotent.flink.fakes.RecordingDestination.Fault;
import io.idempotent.flink.fakes.TestStream;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PartitionPumpTest {

    private final TestStream stream = new TestStream("s");
    private final InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    private final RecordingDestination<String> destination = new RecordingDestination<>();
    private final StreamPartition a = new StreamPartition("s", "a");

    private static final RecordProcessor<String> TEXT =
            (record, out) -> out.accept(new String(record.payload(), StandardCharsets.UTF_8));

    private PartitionPump<String> pump(int maxBatch) {
        return new PartitionPump<>(stream, store, destination, TEXT, maxBatch);
    }

    @Test
    void readsAfterTheCommittedPositionAcrossGaps() {
        for (int i = 0; i < 5; i++) {
            stream.append("a", 3); // sequence numbers 2, 5, 8, 11, 14
        }
        PartitionPump<String> pump = pump(2);
        pump.assign("a");
        pump.drain();
        assertThat(destination.sends())
                .extracting(s -> s.id().value())
                .containsExactly("s/a/2-5", "s/a/8-11", "s/a/14-14");
        assertThat(store.load(a).committed()).isEqualTo(14);
    }

    /** Proves design.md row P3, P6. */
    @Test
    void aNewOwnerReplaysExactlyThePendingRangeFirst() {
        for (int i = 0; i < 6; i++) {
            stream.append("a", 1);
        }
        PartitionPump<String> first = pump(4);
        first.assign("a");
        destination.failNextSend(Fault.HALF_WRITTEN);
        assertThatThrownBy(first::pollOnce).isInstanceOf(DeliveryException.class);
        assertThat(store.load(a).pending().range()).isEqualTo(SequenceRange.of(0, 3));

        // The new owner batches differently, yet the pending range goes out exactly as before.
        DeliveryCounts counts = new DeliveryCounts();
        PartitionPump<String> second =
                new PartitionPump<>(stream, store, destination, TEXT, 10, counts);
        second.assign("a");
        assertThat(counts.replayed()).isEqualTo(1);
        assertThat(counts.batchesSent()).isEqualTo(1);
        second.drain();
        assertThat(destination.sends())
                .extracting(s -> s.id().value())
                .containsExactly("s/a/0-3", "s/a/4-5");
        assertThat(destination.contents().get(BatchId.parse("s/a/0-3")))
                .containsExactly("a:0", "a:1", "a:2", "a:3");
    }

    /** Proves design.md row P9. */
    @Test
    void aPendingRangeTheStreamNoLongerHoldsIsAnErrorNotASkip() {
        stream.append("a", 1);
        long epoch = store.acquire(a);
        store.markPending(
                a,
                epoch,
                new PendingCheckpoint(
                        SequenceRange.of(0, 7), BatchId.of(a, SequenceRange.of(0, 7)), null));
        assertThatThrownBy(() -> pump(5).assign("a"))
                .isInstanceOf(DeliveryException.class)
                .hasMessageContaining("s/a")
                .hasMessageContaining("[0, 7]")
                .hasMessageContaining("cannot be re-read exactly");
        assertThat(store.load(a).pending()).isNotNull();
    }

    /** Proves design.md row P1. */
    @Test
    void aProcessingFailureNamesTheRecordAndSendsNothing() {
        stream.append("a", 1);
        stream.append("a", 1);
        RecordProcessor<String> failing =
                (record, out) -> {
                    if (record.sequence() == 1) {
                        throw new IllegalStateException("bad record");
                    }
                    out.accept("ok");
                };
        PartitionPump<String> pump = new PartitionPump<>(stream, store, destination, failing, 5);
        pump.assign("a");
        assertThatThrownBy(pump::pollOnce)
                .isInstanceOf(DeliveryException.class)
                .hasMessageContaining("sequence number 1")
                .hasRootCauseMessage("bad record");
        assertThat(destination.sends()).isEmpty();
        assertThat(store.load(a).pending()).isNull();
    }

    @Test
    void recordsThePlannedLocationAndHandsItBackOnReplay() {
        stream.append("a", 1);
        IdempotentDestination<String> locating =
                new IdempotentDestination<>() {
                    int calls;

                    @Override
                    public String plannedLocation(BatchId id) {
                        return "files/" + id.value().replace('/', '_');
                    }

                    @Override
                    public SendOutcome send(Batch<String> batch) throws Exception {
                        assertThat(batch.location()).isEqualTo("files/s_a_0-0");
                        if (calls++ == 0) {
                            throw new java.io.IOException("first attempt fails");
                        }
                        return SendOutcome.APPLIED;
                    }
                };
        PartitionPump<String> pump = new PartitionPump<>(stream, store, locating, TEXT, 5);
        pump.assign("a");
        assertThatThrownBy(pump::pollOnce).isInstanceOf(DeliveryException.class);
        assertThat(store.load(a).pending().location()).isEqualTo("files/s_a_0-0");
        pump.assign("a"); // the replay is sent; its commit rides with the next poll's write
        pump.drain();
        assertThat(store.load(a).committed()).isZero();
    }

    @Test
    void aReleasedPartitionIsNoLongerRead() {
        stream.append("a", 1);
        PartitionPump<String> pump = pump(5);
        pump.assign("a");
        pump.release("a");
        assertThat(pump.pollOnce()).as("nothing read").isFalse();
        assertThat(destination.sends()).isEmpty();
    }

    @Test
    void rejectsANonPositiveBatchSize() {
        assertThatThrownBy(() -> pump(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxBatchRecords must be at least 1, not 0.");
    }
}
