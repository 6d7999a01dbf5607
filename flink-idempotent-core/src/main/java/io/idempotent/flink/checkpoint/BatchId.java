package io.idempotent.flink.checkpoint;

import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import java.io.Serializable;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.annotation.PublicEvolving;

/**
 * The identity under which a batch is sent. A destination treats a second send of the same identity
 * as a repeat and drops it, so an identity must always stand for the same content.
 *
 * <p>{@link #of(StreamPartition, SequenceRange)} derives it deterministically from the stream,
 * partition and range, so that whoever replays a pending range after a failure sends it under the
 * same identity. Its text is printable ASCII without spaces, safe for HTTP headers, SQL and (with
 * {@code '/'} mapped by the destination) file names.
 */
@PublicEvolving
public final class BatchId implements Serializable, Comparable<BatchId> {

    private static final long serialVersionUID = 1L;
    private static final int MAX_LENGTH = 512;

    private final String value;

    private BatchId(String value) {
        this.value = value;
    }

    /** The identity of the batch that holds exactly {@code range} of {@code partition}. */
    public static BatchId of(StreamPartition partition, SequenceRange range) {
        return new BatchId(
                encode(partition.stream())
                        + "/"
                        + encode(partition.partition())
                        + "/"
                        + range.from()
                        + "-"
                        + range.to());
    }

    /**
     * The identity of the batch that sink {@code sink} sends for exactly {@code range} of {@code
     * partition}: {@code <sink>/<stream>/<partition>/<from>-<to>}. The sink's name keeps two sinks
     * that read the same stream into one destination apart, however they cut their batches.
     */
    public static BatchId of(String sink, StreamPartition partition, SequenceRange range) {
        Objects.requireNonNull(sink, "sink");
        return new BatchId(encode(sink) + "/" + of(partition, range).value);
    }

    /** An identity read back from storage or built by other means; validated but not derived. */
    public static BatchId parse(String value) {
        Objects.requireNonNull(value, "batch id");
        if (value.isEmpty() || value.length() > MAX_LENGTH) {
            throw new IllegalArgumentException(
                    "A batch id has 1 to " + MAX_LENGTH + " characters, not " + value.length());
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= ' ' || c > '~') {
                throw new IllegalArgumentException(
                        "A batch id is printable ASCII without spaces, but '"
                                + value
                                + "' has character code "
                                + (int) c
                                + " at "
                                + i
                                + ".");
            }
        }
        return new BatchId(value);
    }

    public String value() {
        return value;
    }

    @Override
    public int compareTo(BatchId other) {
        return value.compareTo(other.value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BatchId && ((BatchId) o).value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return value;
    }

    /**
     * Names percent-encoded before (a stream's, with its incarnation after an {@code '@'}): every
     * batch of a partition encodes the same names again. Kept up to {@link #ENCODED_MAX} names.
     */
    private static final Map<String, String> ENCODED = new ConcurrentHashMap<>();

    private static final int ENCODED_MAX = 1024;

    private static String encode(String name) {
        if (isUnreserved(name)) {
            return name; // what URLEncoder leaves as it is
        }
        String encoded = ENCODED.get(name);
        if (encoded == null) {
            // Percent-encoding keeps '/' and '-' in names from making two identities equal.
            encoded = URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
            if (ENCODED.size() < ENCODED_MAX) {
                ENCODED.put(name, encoded);
            }
        }
        return encoded;
    }

    /**
     * Whether every character is one that percent-encoding keeps: letters, digits, {@code .-*_}.
     */
    private static boolean isUnreserved(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean kept =
                    (c >= 'a' && c <= 'z')
                            || (c >= 'A' && c <= 'Z')
                            || (c >= '0' && c <= '9')
                            || c == '.'
                            || c == '-'
                            || c == '*'
                            || c == '_';
            if (!kept) {
                return false;
            }
        }
        return true;
    }
}
