package io.idempotent.flink.origin;

import io.idempotent.flink.checkpoint.PendingCheckpoint;
import java.io.Serializable;
import java.util.Objects;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Where an element comes from: the stream, the partition and the sequence number of its source
 * record, and — while a pending range is replayed — the pending checkpoint it belongs to, so that
 * the sink forms the very same batch again.
 */
@PublicEvolving
public final class Origin implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String stream;
    private final String partition;
    private final long sequence;
    @Nullable private final PendingCheckpoint replaying;
    private final int readerSubtask;

    public Origin(
            String stream,
            String partition,
            long sequence,
            @Nullable PendingCheckpoint replaying,
            int readerSubtask) {
        this.stream = Objects.requireNonNull(stream, "stream");
        this.partition = Objects.requireNonNull(partition, "partition");
        this.sequence = sequence;
        this.replaying = replaying;
        this.readerSubtask = readerSubtask;
    }

    public String stream() {
        return stream;
    }

    public String partition() {
        return partition;
    }

    public long sequence() {
        return sequence;
    }

    /**
     * The pending checkpoint being replayed, or {@code null} for a record read for the first time.
     */
    @Nullable
    public PendingCheckpoint replaying() {
        return replaying;
    }

    /**
     * The source subtask that read the record. The sink checks it against its own subtask to detect
     * a redistribution between source and sink, which origin identities cannot serve.
     */
    public int readerSubtask() {
        return readerSubtask;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Origin)) {
            return false;
        }
        Origin that = (Origin) o;
        return sequence == that.sequence
                && readerSubtask == that.readerSubtask
                && stream.equals(that.stream)
                && partition.equals(that.partition)
                && Objects.equals(replaying, that.replaying);
    }

    @Override
    public int hashCode() {
        return Objects.hash(stream, partition, sequence, replaying, readerSubtask);
    }

    @Override
    public String toString() {
        return stream
                + "/"
                + partition
                + "#"
                + sequence
                + (replaying == null ? "" : " (replaying " + replaying.batchId() + ")");
    }
}
