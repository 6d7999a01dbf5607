package io.idempotent.flink.testutils;

import java.nio.charset.StandardCharsets;

/**
 * The one text form in which tests, benchmarks and the fault campaign deliver a record, so that a
 * verifier can tell from what a destination holds which source record each element came from:
 * {@code "<partition>:<sequence> <payload>"} (or {@code "<partition>:<sequence>"} alone). A
 * partition may contain {@code ':'}; the sequence is after the last one before the first space.
 */
public final class OriginLine {

    private OriginLine() {}

    /** {@code "<partition>:<sequence>"}. */
    public static String of(String partition, long sequence) {
        return partition + ":" + sequence;
    }

    /** {@code "<partition>:<sequence> <payload>"}. */
    public static String of(String partition, long sequence, String payload) {
        return of(partition, sequence) + " " + payload;
    }

    /** As {@link #of(String, long, String)}, the payload decoded as UTF-8. */
    public static String of(String partition, long sequence, byte[] payload) {
        return of(partition, sequence, new String(payload, StandardCharsets.UTF_8));
    }

    /** The source record a line names. */
    public static ExactlyOnceVerifier.Origin parse(String line) {
        int space = line.indexOf(' ');
        String origin = space < 0 ? line : line.substring(0, space);
        int colon = origin.lastIndexOf(':');
        if (colon < 1) {
            throw new IllegalArgumentException(
                    "Not a line of the form '<partition>:<sequence> <payload>': " + line);
        }
        return new ExactlyOnceVerifier.Origin(
                origin.substring(0, colon), Long.parseLong(origin.substring(colon + 1)));
    }

    /** What follows the origin, or "" if nothing does. */
    public static String payload(String line) {
        int space = line.indexOf(' ');
        return space < 0 ? "" : line.substring(space + 1);
    }
}
