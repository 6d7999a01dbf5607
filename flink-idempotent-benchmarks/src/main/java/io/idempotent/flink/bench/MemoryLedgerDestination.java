package io.idempotent.flink.bench;

import io.idempotent.flink.destination.Batch;
import io.idempotent.flink.destination.DestinationFactory;
import io.idempotent.flink.destination.IdempotentDestination;
import io.idempotent.flink.destination.SendOutcome;
import io.idempotent.flink.stream.StreamPartition;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The scale benchmark's default destination: it keeps the identities it applied in memory and drops
 * a repeat, as a real destination's ledger does, and nothing else, so that what grows with the
 * partition count is the connector's own cost, not a destination's cost per batch (a file and two
 * fsyncs per batch, a transaction per batch). One JVM runs the benchmark, so the ledger is static;
 * it is cleared between runs.
 */
final class MemoryLedgerDestination<T> implements IdempotentDestination<T> {

    private static final Map<StreamPartition, Long> APPLIED_UP_TO = new ConcurrentHashMap<>();

    static void clear() {
        APPLIED_UP_TO.clear();
    }

    static <T> DestinationFactory<T> factory() {
        return MemoryLedgerDestination::new;
    }

    @Override
    public SendOutcome send(Batch<T> batch) {
        long to = batch.range().to();
        Long before = APPLIED_UP_TO.put(batch.partition(), to);
        if (before != null && before >= to) {
            APPLIED_UP_TO.put(batch.partition(), before);
            return SendOutcome.REPEAT_DROPPED;
        }
        return SendOutcome.APPLIED;
    }
}
