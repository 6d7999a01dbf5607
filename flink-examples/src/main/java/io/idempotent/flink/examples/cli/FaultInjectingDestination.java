package io.idempotent.flink.examples.cli;

import io.idempotent.flink.destination.Batch;
import io.idempotent.flink.destination.ForwardingDestination;
import io.idempotent.flink.destination.IdempotentDestination;
import io.idempotent.flink.destination.SendOutcome;
import io.idempotent.flink.testutils.FaultPoints;
import java.io.IOException;

/** Wraps a destination and makes its next send fail in a chosen way, for the demo. */
final class FaultInjectingDestination<T> extends ForwardingDestination<T> {

    enum Fault {
        /** The worker dies after the range is marked pending, before anything is sent. */
        BEFORE_SEND("the worker died after marking the batch pending, before sending it"),
        /** The destination writes the batch, then the call times out. */
        AFTER_SEND("the destination wrote the batch, then the call timed out"),
        /** A new worker takes the partitions over while the old one is still sending. */
        TAKEOVER("a new worker took over while the old one was still sending");

        final String description;

        Fault(String description) {
            this.description = description;
        }
    }

    /** The armed fault: the fault kit's trigger. */
    private final FaultPoints<Fault> faults = new FaultPoints<>();

    private Runnable takeover;

    FaultInjectingDestination(IdempotentDestination<T> delegate) {
        super(delegate);
    }

    void arm(Fault fault, Runnable takeoverAction) {
        faults.armAfter(fault, 0);
        this.takeover = takeoverAction;
    }

    @Override
    public SendOutcome send(Batch<T> batch) throws Exception {
        if (faults.fires(Fault.BEFORE_SEND)) {
            throw new IOException("injected: " + Fault.BEFORE_SEND.description);
        }
        if (faults.fires(Fault.TAKEOVER)) {
            takeover.run();
        }
        SendOutcome outcome = super.send(batch);
        if (faults.fires(Fault.AFTER_SEND)) {
            throw new IOException("injected: " + Fault.AFTER_SEND.description);
        }
        return outcome;
    }
}
