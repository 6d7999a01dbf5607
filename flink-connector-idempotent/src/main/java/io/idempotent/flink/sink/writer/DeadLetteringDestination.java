package io.idempotent.flink.sink.writer;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.destination.Batch;
import io.idempotent.flink.destination.ForwardingDestination;
import io.idempotent.flink.destination.IdempotentDestination;
import io.idempotent.flink.destination.PoisonElementException;
import io.idempotent.flink.destination.SendOutcome;
import io.idempotent.flink.destination.UnencodableElementException;
import io.idempotent.flink.sink.DeadLetter;
import io.idempotent.flink.stream.SequenceRange;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.IOUtils;

/**
 * The sink's destination with a dead-letter destination beside it: an element the destination
 * refuses for good (a {@link PoisonElementException}: it cannot encode it, or the database or
 * server rejects it) goes to the dead letters, under an identity derived from its origin ({@code
 * <sink>/dead-letters/<stream>/<partition>/<sequence>-<sequence>.<n>}, the n-th element of that
 * record in the batch), and the batch is sent without it under its own identity. Such a refusal
 * comes the same way every time, so a re-send after a failure forms the same dead letters and the
 * same batch, and the destinations drop the repeats. Runs in the task thread.
 */
final class DeadLetteringDestination<T> extends ForwardingDestination<T> {

    private final String sink;
    private final IdempotentDestination<T> destination;
    private final IdempotentDestination<DeadLetter<T>> deadLetters;
    private final Supplier<Map<BatchId, long[]>> sequences;
    private final Counter counter;

    DeadLetteringDestination(
            String sink,
            IdempotentDestination<T> destination,
            IdempotentDestination<DeadLetter<T>> deadLetters,
            Supplier<Map<BatchId, long[]>> sequences,
            Counter counter) {
        super(destination);
        this.sink = sink;
        this.destination = destination;
        this.deadLetters = deadLetters;
        this.sequences = sequences;
        this.counter = counter;
    }

    @Override
    public SendOutcome send(Batch<T> batch) throws Exception {
        long[] ofElements = sequences.get().get(batch.id());
        Batch<T> remaining = batch;
        while (true) {
            if (remaining.elements().isEmpty()) {
                // Every element went to the dead letters: nothing left to send under the batch's
                // identity, and a re-send forms the same dead letters, which are dropped.
                return SendOutcome.APPLIED;
            }
            try {
                return destination.send(remaining);
            } catch (PoisonElementException e) {
                if (ofElements == null || e.index() >= ofElements.length) {
                    throw e;
                }
                deadLetter(remaining, ofElements, e);
                List<T> elements = new ArrayList<>(remaining.elements());
                elements.remove(e.index());
                ofElements = remove(ofElements, e.index());
                remaining =
                        new Batch<>(
                                batch.id(),
                                batch.partition(),
                                batch.range(),
                                elements,
                                batch.location());
            }
        }
    }

    private void deadLetter(Batch<T> batch, long[] ofElements, PoisonElementException e)
            throws Exception {
        int index = e.index();
        long sequence = ofElements[index];
        int nth = 0;
        for (int i = 0; i < index; i++) {
            nth += ofElements[i] == sequence ? 1 : 0;
        }
        SequenceRange range = SequenceRange.of(sequence, sequence);
        // One more segment than the sink's batch identities, so the two can never meet.
        String batchId = BatchId.of(sink, batch.partition(), range).value();
        int afterSink = batchId.indexOf('/');
        BatchId id =
                BatchId.parse(
                        batchId.substring(0, afterSink)
                                + "/dead-letters"
                                + batchId.substring(afterSink)
                                + "."
                                + nth);
        DeadLetter<T> letter =
                new DeadLetter<>(
                        batch.partition().stream(),
                        batch.partition().partition(),
                        sequence,
                        batch.elements().get(index),
                        // What the encoder threw, as dead letters always held; else the refusal.
                        e instanceof UnencodableElementException
                                ? String.valueOf(e.getCause())
                                : e.reason());
        deadLetters.send(new Batch<>(id, batch.partition(), range, List.of(letter), null));
        counter.inc();
    }

    private static long[] remove(long[] values, int index) {
        long[] rest = Arrays.copyOf(values, values.length - 1);
        System.arraycopy(values, index + 1, rest, index, values.length - index - 1);
        return rest;
    }

    @Override
    public void close() throws Exception {
        IOUtils.closeAll(Arrays.asList(destination, deadLetters));
    }
}
