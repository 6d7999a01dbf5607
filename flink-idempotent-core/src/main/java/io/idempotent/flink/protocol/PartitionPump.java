package io.idempotent.flink.protocol;

import io.idempotent.flink.checkpoint.PartitionCheckpoint;
import io.idempotent.flink.checkpoint.PartitionCheckpointStore;
import io.idempotent.flink.checkpoint.PendingCheckpoint;
import io.idempotent.flink.destination.Batch;
import io.idempotent.flink.destination.IdempotentDestination;
import io.idempotent.flink.stream.PartitionRecord;
import io.idempotent.flink.stream.PartitionedStream;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;

/**
 * The whole protocol for the partitions one worker owns, without Flink: reads a stream, processes
 * records and delivers them exactly once through {@link BatchDelivery}: one store write per poll,
 * which marks the poll's batches pending and commits those of the poll before.
 *
 * <ul>
 *   <li>{@link #assign}: acquire the partition (fencing its previous owner) and load its
 *       checkpoint; if a range is pending, re-read <em>exactly</em> that range, process it again
 *       and re-send it under the same identity before anything else.
 *   <li>{@link #pollOnce}: read up to {@code maxBatchRecords} new records of every owned partition,
 *       starting right after what is committed, and deliver them as one batch per partition; a poll
 *       that finds nothing new commits what the poll before delivered.
 *   <li>{@link #drain}: poll until nothing is new, so that everything delivered is committed.
 * </ul>
 *
 * <p>After a failed delivery the pump owns nothing: assign the partitions again (here or in another
 * pump) and the protocol resumes from what the store holds. Not thread-safe.
 *
 * <pre>{@code
 * PartitionPump<byte[]> pump =
 *         new PartitionPump<>(stream, store, destination, RecordProcessor.payloads(), 1000);
 * for (String partition : stream.partitions()) {
 *     pump.assign(partition);
 * }
 * pump.drain();
 * }</pre>
 */
@PublicEvolving
public final class PartitionPump<T> {

    private final PartitionedStream stream;
    private final RecordProcessor<T> processor;

    /** Owns the partitions; keeps for each where this pump reads next. */
    private final BatchDelivery<T, Cursor> delivery;

    private final int maxBatchRecords;

    /** An owned partition, the range it had pending when taken over, and where to read next. */
    private static final class Cursor {
        final StreamPartition partition;
        @Nullable final PendingCheckpoint foundPending;
        long next;

        Cursor(StreamPartition partition, PartitionCheckpoint checkpoint) {
            this.partition = partition;
            this.foundPending = checkpoint.pending();
            this.next =
                    foundPending == null
                            ? checkpoint.nextSequence()
                            : foundPending.range().to() + 1;
        }
    }

    public PartitionPump(
            PartitionedStream stream,
            PartitionCheckpointStore store,
            IdempotentDestination<T> destination,
            RecordProcessor<T> processor,
            int maxBatchRecords) {
        this(stream, store, destination, processor, maxBatchRecords, DeliveryListener.NONE);
    }

    /**
     * A pump that tells {@code listener} what it does, batch by batch (a {@link DeliveryCounts}
     * counts it).
     */
    public PartitionPump(
            PartitionedStream stream,
            PartitionCheckpointStore store,
            IdempotentDestination<T> destination,
            RecordProcessor<T> processor,
            int maxBatchRecords,
            DeliveryListener listener) {
        if (maxBatchRecords < 1) {
            throw new IllegalArgumentException(
                    "maxBatchRecords must be at least 1, not " + maxBatchRecords + ".");
        }
        this.stream = Objects.requireNonNull(stream, "stream");
        this.processor = Objects.requireNonNull(processor, "processor");
        this.delivery = new BatchDelivery<>(store, destination, listener);
        this.maxBatchRecords = maxBatchRecords;
    }

    /**
     * Takes ownership of {@code partition} and first re-delivers its pending range, if it has one.
     */
    public void assign(String partition) {
        StreamPartition key = new StreamPartition(stream.qualifiedName(), partition);
        Cursor cursor = delivery.takeOver(key, checkpoint -> new Cursor(key, checkpoint));
        if (cursor.foundPending != null) {
            delivery.deliver(List.of(replay(key, cursor.foundPending)));
        }
    }

    /** Stops working on {@code partition}; whatever it had pending stays pending in the store. */
    public void release(String partition) {
        delivery.release(new StreamPartition(stream.qualifiedName(), partition));
    }

    /**
     * Reads and delivers one batch of new records per owned partition.
     *
     * @return whether any partition had new records
     */
    public boolean pollOnce() {
        List<Batch<T>> batches = new ArrayList<>();
        for (Cursor cursor : delivery.states()) {
            StreamPartition partition = cursor.partition;
            List<PartitionRecord> records =
                    stream.readFrom(partition.partition(), cursor.next, maxBatchRecords);
            if (!records.isEmpty()) {
                SequenceRange range =
                        SequenceRange.of(
                                records.get(0).sequence(),
                                records.get(records.size() - 1).sequence());
                batches.add(Batch.of(partition, range, process(partition, range, records)));
            }
        }
        delivery.deliver(batches);
        for (Batch<T> batch : batches) {
            delivery.state(batch.partition()).next = batch.range().to() + 1;
        }
        return !batches.isEmpty();
    }

    /** Polls until no owned partition has new records; then everything delivered is committed. */
    public void drain() {
        while (pollOnce()) {
            // until nothing is new; the last poll's empty delivery writes the deferred commits
        }
    }

    private Batch<T> replay(StreamPartition partition, PendingCheckpoint pending) {
        SequenceRange range = pending.range();
        List<PartitionRecord> records = stream.readRange(partition.partition(), range);
        if (records.isEmpty()
                || records.get(0).sequence() != range.from()
                || records.get(records.size() - 1).sequence() != range.to()) {
            throw new DeliveryException(
                    partition,
                    range,
                    String.format(
                            "the pending batch %s cannot be re-read exactly: the stream returned"
                                    + " %d records%s. The stream lost records of a range that was"
                                    + " never confirmed delivered (retention too short?); check"
                                    + " the destination for %s and resolve the pending"
                                    + " checkpoint by hand.",
                            pending.batchId(),
                            records.size(),
                            records.isEmpty()
                                    ? ""
                                    : " from "
                                            + records.get(0).sequence()
                                            + " to "
                                            + records.get(records.size() - 1).sequence(),
                            pending.batchId()),
                    null);
        }
        return new Batch<>(
                pending.batchId(),
                partition,
                range,
                process(partition, range, records),
                pending.location());
    }

    private List<T> process(
            StreamPartition partition, SequenceRange range, List<PartitionRecord> records) {
        List<T> elements = new ArrayList<>(records.size());
        for (PartitionRecord record : records) {
            try {
                processor.process(record, elements::add);
            } catch (Exception e) {
                throw new DeliveryException(
                        partition,
                        range,
                        "processing the record with sequence number "
                                + record.sequence()
                                + " failed; nothing of this batch was sent",
                        e);
            }
        }
        return elements;
    }
}
