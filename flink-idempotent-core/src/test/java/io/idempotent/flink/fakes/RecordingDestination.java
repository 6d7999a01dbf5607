package io.idempotent.flink.fakes;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.destination.Batch;
import io.idempotent.flink.destination.IdempotentDestination;
import io.idempotent.flink.destination.SendOutcome;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An idempotent destination in memory that records every send, can be told to fail the next send in
 * one of the ways real destinations fail, and can run a hook in the middle of a send (to let a new
 * owner take over while an old one is sending).
 */
public final class RecordingDestination<T> implements IdempotentDestination<T> {

    /** How the next send fails. */
    public enum Fault {
        /** Fails before anything is written. */
        BEFORE_WRITE,
        /** Writes the first half of the batch, then fails (a torn write). */
        HALF_WRITTEN,
        /** Writes the whole batch, then fails (a timeout after the write). */
        AFTER_WRITE
    }

    /** One call of {@link #send}. */
    public record Send(BatchId id, List<?> elements, SendOutcome outcome) {}

    private final List<Send> sends = new ArrayList<>();
    private final Map<BatchId, Batch<T>> firstSeen = new HashMap<>();
    private final Map<BatchId, List<T>> written = new HashMap<>();
    private final Set<BatchId> complete = new HashSet<>();
    private Fault nextFault;
    private Runnable duringNextSend;

    public synchronized void failNextSend(Fault fault) {
        this.nextFault = fault;
    }

    /** Runs {@code hook} inside the next send, before it writes anything. */
    public synchronized void duringNextSend(Runnable hook) {
        this.duringNextSend = hook;
    }

    @Override
    public SendOutcome send(Batch<T> batch) throws IOException {
        Runnable hook;
        synchronized (this) {
            hook = duringNextSend;
            duringNextSend = null;
        }
        if (hook != null) {
            hook.run();
        }
        synchronized (this) {
            Batch<T> first = firstSeen.putIfAbsent(batch.id(), batch);
            if (first != null && !first.elements().equals(batch.elements())) {
                throw new AssertionError(
                        "identity " + batch.id() + " was sent with different elements");
            }
            Fault fault = nextFault;
            nextFault = null;
            if (fault == Fault.BEFORE_WRITE) {
                throw new IOException("injected failure before writing " + batch.id());
            }
            if (complete.contains(batch.id())) {
                sends.add(new Send(batch.id(), batch.elements(), SendOutcome.REPEAT_DROPPED));
                return SendOutcome.REPEAT_DROPPED;
            }
            if (fault == Fault.HALF_WRITTEN) {
                written.put(
                        batch.id(),
                        List.copyOf(batch.elements().subList(0, batch.elements().size() / 2)));
                throw new IOException("injected failure half way through " + batch.id());
            }
            // A partial write of this identity is completed, never written twice.
            written.put(batch.id(), batch.elements());
            complete.add(batch.id());
            sends.add(new Send(batch.id(), batch.elements(), SendOutcome.APPLIED));
            if (fault == Fault.AFTER_WRITE) {
                throw new IOException("injected timeout after writing " + batch.id());
            }
            return SendOutcome.APPLIED;
        }
    }

    /** Every element the destination holds, across all identities, in no particular order. */
    public synchronized Map<BatchId, List<T>> contents() {
        return new HashMap<>(written);
    }

    public synchronized List<Send> sends() {
        return List.copyOf(sends);
    }
}
