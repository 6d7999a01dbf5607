package io.idempotent.flink.bench.micro;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.checkpoint.InMemoryCheckpointStore;
import io.idempotent.flink.checkpoint.PartitionCheckpoint;
import io.idempotent.flink.destination.Batch;
import io.idempotent.flink.destination.IdempotentDestination;
import io.idempotent.flink.destination.SendOutcome;
import io.idempotent.flink.protocol.BatchDelivery;
import io.idempotent.flink.protocol.DeliveryListener;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The protocol core alone — classify, mark pending (with the commits of the cycle before), send —
 * with an in-memory store and a destination that accepts everything: what the protocol costs per
 * batch cycle by itself, on the path the Flink sink takes ({@link BatchDelivery}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ProtocolBenchmark {

    @Param({"1", "16"})
    public int partitions;

    private InMemoryCheckpointStore store;
    private BatchDelivery<String, PartitionCheckpoint> delivery;
    private List<StreamPartition> owned;
    private final List<String> elements = Collections.nCopies(1_000, "x");
    private long next;

    @Setup(Level.Trial)
    public void setUp() {
        store = new InMemoryCheckpointStore();
        delivery =
                new BatchDelivery<>(
                        store,
                        new IdempotentDestination<>() {
                            @Override
                            public String plannedLocation(BatchId id) {
                                return null;
                            }

                            @Override
                            public SendOutcome send(Batch<String> batch) {
                                return SendOutcome.APPLIED;
                            }

                            @Override
                            public void close() {}
                        },
                        DeliveryListener.NONE);
        owned = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            owned.add(new StreamPartition("bench", Integer.toString(p)));
        }
        owned.forEach(partition -> delivery.takeOver(partition, checkpoint -> checkpoint));
    }

    /** One batch cycle: a batch of 1,000 elements for every partition. */
    @Benchmark
    public void deliverOneCycle() {
        SequenceRange range = SequenceRange.of(next, next + elements.size() - 1);
        next += elements.size();
        List<Batch<String>> batches = new ArrayList<>(partitions);
        for (StreamPartition partition : owned) {
            batches.add(Batch.of(partition, range, elements));
        }
        delivery.deliver(batches);
    }
}
