package io.idempotent.flink.stream;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.annotation.PublicEvolving;

/**
 * A stream of records in named partitions, each an ordered log addressed by sequence number. The
 * pending-checkpoint protocol needs to read forward from a position and to read <em>exactly</em> a
 * closed range again after a failure, so both reads are part of the contract.
 *
 * <p>Implementations are safe for concurrent readers. Errors are {@link StreamException}s that name
 * the stream, the partition and the sequence number.
 */
@PublicEvolving
public interface PartitionedStream extends AutoCloseable {

    /** The stream's name, part of every batch identity derived from it. */
    String name();

    /** The partitions that exist now. More may appear later; none disappears. */
    List<String> partitions();

    /**
     * Up to {@code maxRecords} records of a partition in sequence order, starting with the first
     * record whose sequence number is at least {@code fromSequence}. Empty only when the partition
     * has no record at or after {@code fromSequence} now (a bounded reader relies on that to know
     * it is done); an implementation that cannot tell in time throws instead.
     */
    List<PartitionRecord> readFrom(String partition, long fromSequence, int maxRecords);

    /**
     * Forward reads of several partitions at once: for each partition of {@code positions}, in the
     * map's order, up to {@code maxRecords} records from its position, as {@link #readFrom} reads
     * them, until the answer holds {@code maxInAll} records or more: the partitions after that are
     * missing from the answer, so one call's work does not grow with the number of partitions. An
     * empty list means, as there, that the partition has no record at or after its position now; a
     * partition missing from the answer was not reached or had nothing ready this time (ask again).
     * Readers of many partitions use it, so an implementation should answer in a few requests, not
     * one per partition; the default reads them one by one.
     */
    default Map<String, List<PartitionRecord>> readFromAll(
            Map<String, Long> positions, int maxRecords, int maxInAll) {
        Map<String, List<PartitionRecord>> read = new LinkedHashMap<>();
        int inAll = 0;
        for (Map.Entry<String, Long> position : positions.entrySet()) {
            if (inAll >= maxInAll) {
                break;
            }
            List<PartitionRecord> records =
                    readFrom(position.getKey(), position.getValue(), maxRecords);
            read.put(position.getKey(), records);
            inAll += records.size();
        }
        return read;
    }

    /**
     * Every record of a partition whose sequence number lies in {@code range}, in order. Used to
     * replay a pending range, so callers check that the first and last records are {@code
     * range.from()} and {@code range.to()}.
     */
    List<PartitionRecord> readRange(String partition, SequenceRange range);

    /**
     * The partition's end: one past the sequence number of its last record (0 when empty). Reading
     * from the end returns nothing until more records arrive.
     */
    long endSequence(String partition);

    /** {@link #endSequence} of several partitions, in one request where the stream can. */
    default Map<String, Long> endSequences(Collection<String> partitions) {
        Map<String, Long> ends = new LinkedHashMap<>();
        for (String partition : partitions) {
            ends.put(partition, endSequence(partition));
        }
        return ends;
    }

    /**
     * An id that changes when the stream is deleted and created again under its name (a Kafka
     * topic's id), so that the new stream's sequence numbers, which start again, are never taken
     * for the old one's; empty if the stream cannot tell.
     */
    default String incarnation() {
        return "";
    }

    /**
     * The name the source gives the stream's partitions in splits, and so in checkpoints and batch
     * identities: {@link #name()}, and {@code @} and the {@link #incarnation()} if there is one.
     */
    default String qualifiedName() {
        String incarnation = incarnation();
        return incarnation.isEmpty() ? name() : name() + "@" + incarnation;
    }

    /**
     * The stream name in a {@link #qualifiedName()}, without its incarnation; empty if it has none.
     * Versions before incarnations named a stream's partitions by this name alone.
     */
    static Optional<String> withoutIncarnation(String qualifiedName) {
        int at = qualifiedName.lastIndexOf('@');
        return at > 0 ? Optional.of(qualifiedName.substring(0, at)) : Optional.empty();
    }

    /**
     * The partition's first sequence number that can still be read: records before it were removed
     * (a Kafka topic's retention). 0 for a stream that never removes records. Reading from the
     * beginning starts here; reading from an earlier position fails, because records that were
     * never read are gone.
     */
    default long startSequence(String partition) {
        return 0;
    }

    /** {@link #startSequence} of several partitions, in one request where the stream can. */
    default Map<String, Long> startSequences(Collection<String> partitions) {
        Map<String, Long> starts = new LinkedHashMap<>();
        for (String partition : partitions) {
            starts.put(partition, startSequence(partition));
        }
        return starts;
    }

    @Override
    void close();
}
