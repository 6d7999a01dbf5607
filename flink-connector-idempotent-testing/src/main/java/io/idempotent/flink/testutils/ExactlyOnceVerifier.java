package io.idempotent.flink.testutils;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Counts lost, duplicated and out-of-order records from what a destination really holds, compared
 * with what the source had. Knows nothing of the protocol: it sees (partition, sequence) pairs in
 * the order the destination holds them.
 */
public final class ExactlyOnceVerifier {

    /** A delivered record's origin. */
    public record Origin(String partition, long sequence) {}

    /** The verdict. */
    public record Result(
            long expected, long delivered, long lost, long duplicated, long outOfOrder) {
        public boolean exactlyOnce() {
            return lost == 0 && duplicated == 0 && outOfOrder == 0 && delivered == expected;
        }

        @Override
        public String toString() {
            return String.format(
                    "expected %d, delivered %d, lost %d, duplicated %d, out of order %d",
                    expected, delivered, lost, duplicated, outOfOrder);
        }
    }

    private ExactlyOnceVerifier() {}

    /**
     * @param expected per partition, the sequence numbers the source holds
     * @param delivered what the destination holds, in the destination's order
     */
    public static Result verify(Map<String, List<Long>> expected, List<Origin> delivered) {
        Map<String, Set<Long>> expectedSets = new HashMap<>();
        expected.forEach(
                (partition, sequences) -> expectedSets.put(partition, new HashSet<>(sequences)));
        Map<String, Set<Long>> seen = new HashMap<>();
        Map<String, Long> last = new HashMap<>();
        long duplicated = 0;
        long outOfOrder = 0;
        long unexpected = 0;
        for (Origin origin : delivered) {
            Set<Long> partitionSeen =
                    seen.computeIfAbsent(origin.partition(), p -> new HashSet<>());
            if (!partitionSeen.add(origin.sequence())) {
                duplicated++;
                continue;
            }
            Long previous = last.put(origin.partition(), origin.sequence());
            if (previous != null && previous > origin.sequence()) {
                outOfOrder++;
            }
            if (!expectedSets
                    .getOrDefault(origin.partition(), Set.of())
                    .contains(origin.sequence())) {
                unexpected++;
            }
        }
        long expectedCount = 0;
        long lost = 0;
        for (Map.Entry<String, List<Long>> entry : new TreeMap<>(expected).entrySet()) {
            expectedCount += entry.getValue().size();
            Set<Long> partitionSeen = seen.getOrDefault(entry.getKey(), Set.of());
            for (long sequence : entry.getValue()) {
                if (!partitionSeen.contains(sequence)) {
                    lost++;
                }
            }
        }
        // Records the source never had count as duplicates of nothing: report them as duplicated.
        return new Result(
                expectedCount, delivered.size(), lost, duplicated + unexpected, outOfOrder);
    }

    /** The origin of each element, an {@link OriginLine}. */
    public static List<Origin> origins(List<String> elements) {
        List<Origin> origins = new ArrayList<>(elements.size());
        for (String element : elements) {
            origins.add(OriginLine.parse(element));
        }
        return origins;
    }
}
