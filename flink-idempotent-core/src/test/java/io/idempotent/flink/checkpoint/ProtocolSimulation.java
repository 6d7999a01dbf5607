package io.idempotent.flink.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import io.idempotent.flink.checkpoint.PartitionCheckpointStoreContract.StoreFixture;
import io.idempotent.flink.fakes.RecordingDestination;
import io.idempotent.flink.fakes.RecordingDestination.Fault;
import io.idempotent.flink.fakes.TestStream;
import io.idempotent.flink.protocol.PartitionPump;
import io.idempotent.flink.protocol.RecordProcessor;
import io.idempotent.flink.stream.PartitionRecord;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import io.idempotent.flink.testutils.ExactlyOnceVerifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the protocol with several workers over one store while things go wrong: sends fail before,
 * half way through and after writing; a new owner takes a partition over in the middle of an old
 * owner's send; the store crashes and is reopened; zombies keep writing with stale epochs. Then one
 * healthy worker finishes the job and the destination must hold every record exactly once, in order
 * per partition.
 */
final class ProtocolSimulation {

    static final List<String> PARTITIONS = List.of("a", "b");

    /** One step; fields are interpreted per kind, modulo what exists. */
    record Action(String kind, int worker, int partition, int detail) {}

    /** Records whose sequence number ends in 4 or 9 are filtered out: batches may be empty. */
    static final RecordProcessor<String> PROCESSOR =
            (record, out) -> {
                if (record.sequence() % 5 != 4) {
                    out.accept(new String(record.payload(), StandardCharsets.UTF_8));
                }
            };

    private final StoreFixture fixture;
    private final TestStream stream = new TestStream("events");
    private final RecordingDestination<String> destination = new RecordingDestination<>();
    private final List<PartitionPump<String>> workers = new ArrayList<>();
    private final Map<StreamPartition, PartitionCheckpoint> highWater = new HashMap<>();

    ProtocolSimulation(StoreFixture fixture, int recordsA, int recordsB) {
        this.fixture = fixture;
        for (String partition : PARTITIONS) {
            stream.addPartition(partition);
        }
        for (int i = 0; i < Math.max(recordsA, recordsB); i++) {
            if (i < recordsA) {
                stream.append("a", 1 + i % 3);
            }
            if (i < recordsB) {
                stream.append("b", 1 + (i * 7) % 2);
            }
        }
    }

    void run(List<Action> actions) {
        for (Action action : actions) {
            step(action);
            checkInvariants();
        }
        finish();
    }

    private void step(Action action) {
        String partition = PARTITIONS.get(action.partition() % PARTITIONS.size());
        switch (action.kind()) {
            case "worker":
                workers.add(newWorker(action.detail()));
                break;
            case "assign":
                withWorker(action.worker(), pump -> pump.assign(partition));
                break;
            case "poll":
                withWorker(action.worker(), PartitionPump::pollOnce);
                break;
            case "fault":
                destination.failNextSend(Fault.values()[action.detail() % Fault.values().length]);
                break;
            case "takeover":
                destination.duringNextSend(
                        () -> {
                            PartitionPump<String> newOwner = newWorker(action.detail());
                            workers.add(newOwner);
                            try {
                                newOwner.assign(partition);
                            } catch (RuntimeException e) {
                                workers.set(workers.size() - 1, null);
                            }
                        });
                break;
            case "append":
                for (int i = 0; i <= action.detail() % 3; i++) {
                    stream.append(partition, 1 + action.detail() % 2);
                }
                break;
            case "crash":
                // Every worker dies with the store; their handles must never be used again.
                workers.replaceAll(w -> null);
                fixture.crashAndReopen();
                break;
            case "stale":
                staleWriteIsFenced(new StreamPartition(stream.name(), partition));
                break;
            default:
                throw new IllegalArgumentException(action.kind());
        }
    }

    private PartitionPump<String> newWorker(int detail) {
        return new PartitionPump<>(
                stream, fixture.store(), destination, PROCESSOR, 1 + Math.abs(detail) % 5);
    }

    private void withWorker(int index, java.util.function.Consumer<PartitionPump<String>> work) {
        if (workers.isEmpty()) {
            return;
        }
        int slot = Math.abs(index) % workers.size();
        PartitionPump<String> pump = workers.get(slot);
        if (pump == null) {
            return;
        }
        try {
            work.accept(pump);
        } catch (RuntimeException e) {
            // A worker that hits an error is treated as crashed.
            workers.set(slot, null);
        }
    }

    private void staleWriteIsFenced(StreamPartition partition) {
        PartitionCheckpointStore store = fixture.store();
        PartitionCheckpoint before = store.load(partition);
        if (before.epoch() < 2) {
            return;
        }
        long from = before.committed() + 1;
        SequenceRange range = SequenceRange.of(from, from + 2);
        try {
            store.markPending(
                    partition,
                    before.epoch() - 1,
                    new PendingCheckpoint(range, BatchId.of(partition, range), null));
            throw new AssertionError("a stale epoch was accepted for " + partition);
        } catch (FencedException expected) {
            assertThat(store.load(partition)).isEqualTo(before);
        }
    }

    private void checkInvariants() {
        for (String name : PARTITIONS) {
            StreamPartition partition = new StreamPartition(stream.name(), name);
            PartitionCheckpoint now = fixture.store().load(partition);
            PartitionCheckpoint before =
                    highWater.getOrDefault(partition, PartitionCheckpoint.INITIAL);
            assertThat(now.committed())
                    .as("committed position of %s never goes back", partition)
                    .isGreaterThanOrEqualTo(before.committed());
            assertThat(now.epoch()).isGreaterThanOrEqualTo(before.epoch());
            if (now.pending() != null) {
                assertThat(now.pending().batchId())
                        .isEqualTo(BatchId.of(partition, now.pending().range()));
            }
            highWater.put(partition, now);
        }
    }

    private void finish() {
        destination.failNextSend(null);
        destination.duringNextSend(null);
        PartitionPump<String> last = newWorker(3);
        for (String partition : PARTITIONS) {
            last.assign(partition);
        }
        last.drain();

        Map<String, List<Long>> expected = new LinkedHashMap<>();
        for (String partition : PARTITIONS) {
            List<Long> sequences = new ArrayList<>();
            for (PartitionRecord record : stream.records(partition)) {
                if (record.sequence() % 5 != 4) {
                    sequences.add(record.sequence());
                }
            }
            expected.put(partition, sequences);
            PartitionCheckpoint checkpoint =
                    fixture.store().load(new StreamPartition(stream.name(), partition));
            assertThat(checkpoint.pending()).isNull();
            assertThat(checkpoint.nextSequence()).isEqualTo(stream.endSequence(partition));
        }
        ExactlyOnceVerifier.Result result =
                ExactlyOnceVerifier.verify(expected, destinationHoldings());
        assertThat(result.exactlyOnce()).as(result.toString()).isTrue();
    }

    /** What the destination holds, batches in the order they were first completely written. */
    private List<ExactlyOnceVerifier.Origin> destinationHoldings() {
        Map<BatchId, List<String>> contents = new HashMap<>(destination.contents());
        List<String> elements = new ArrayList<>();
        for (RecordingDestination.Send send : destination.sends()) {
            List<String> written = contents.remove(send.id());
            if (written != null) {
                elements.addAll(written);
            }
        }
        // Torn writes that were never completed are in the destination too.
        contents.values().forEach(elements::addAll);
        return ExactlyOnceVerifier.origins(elements);
    }
}
