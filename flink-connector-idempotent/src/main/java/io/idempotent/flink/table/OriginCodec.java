package io.idempotent.flink.table;

import io.idempotent.flink.origin.Origin;
import io.idempotent.flink.origin.TracedSerializer;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * The {@code origin} metadata column's bytes: a version byte, then the origin as {@link
 * TracedSerializer} writes it (stream, partition, sequence, reader subtask, the pending checkpoint
 * being replayed). A source table reads it; a sink table with origin identities writes it.
 */
final class OriginCodec {

    private static final byte VERSION = 1;

    private OriginCodec() {}

    static byte[] encode(Origin origin) {
        DataOutputSerializer out = new DataOutputSerializer(64);
        try {
            out.writeByte(VERSION);
            TracedSerializer.writeOrigin(origin, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.getCopyOfBuffer();
    }

    /**
     * The origin in {@code bytes}.
     *
     * @throws IllegalArgumentException if they are not an origin this version wrote
     */
    static Origin decode(byte[] bytes) {
        if (bytes == null || bytes.length == 0 || bytes[0] != VERSION) {
            throw new IllegalArgumentException(
                    "The 'origin' column does not hold an origin written by an idempotent source"
                            + " table (version "
                            + VERSION
                            + "): select the source table's 'origin' metadata column into it,"
                            + " unchanged.");
        }
        try {
            DataInputDeserializer in = new DataInputDeserializer(bytes, 1, bytes.length - 1);
            return TracedSerializer.readOrigin(in);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(
                    "The 'origin' column holds bytes that are not an origin: select the source"
                            + " table's 'origin' metadata column into it, unchanged.",
                    e);
        }
    }
}
