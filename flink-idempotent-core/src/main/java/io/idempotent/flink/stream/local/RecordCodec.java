package io.idempotent.flink.stream.local;

import io.idempotent.flink.stream.PartitionRecord;
import java.nio.ByteBuffer;

/** Binary layout of the local stream's keys and values. Values carry a format version. */
final class RecordCodec {

    static final byte META_PREFIX = 0;
    static final byte RECORD_PREFIX = 1;
    static final byte VALUE_VERSION = 1;

    private RecordCodec() {}

    static byte[] recordKey(int partition, long sequence) {
        return ByteBuffer.allocate(13)
                .put(RECORD_PREFIX)
                .putInt(partition)
                .putLong(sequence)
                .array();
    }

    static boolean isRecordOf(byte[] key, int partition) {
        return key.length == 13
                && key[0] == RECORD_PREFIX
                && ByteBuffer.wrap(key, 1, 4).getInt() == partition;
    }

    static long sequenceOf(byte[] key) {
        return ByteBuffer.wrap(key, 5, 8).getLong();
    }

    static byte[] metaKey(String name) {
        byte[] chars = name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(chars.length + 1).put(META_PREFIX).put(chars).array();
    }

    static byte[] encodeValue(byte[] key, byte[] payload, long timestamp) {
        int keyLength = key == null ? -1 : key.length;
        ByteBuffer buffer =
                ByteBuffer.allocate(1 + 8 + 4 + Math.max(keyLength, 0) + 4 + payload.length);
        buffer.put(VALUE_VERSION).putLong(timestamp).putInt(keyLength);
        if (key != null) {
            buffer.put(key);
        }
        return buffer.putInt(payload.length).put(payload).array();
    }

    /** Decodes a value, or throws {@link IllegalArgumentException} saying what is wrong. */
    static PartitionRecord decodeValue(String partition, long sequence, byte[] value) {
        ByteBuffer buffer = ByteBuffer.wrap(value);
        if (value.length < 17) {
            throw new IllegalArgumentException("value too short (" + value.length + " bytes)");
        }
        byte version = buffer.get();
        if (version != VALUE_VERSION) {
            throw new IllegalArgumentException(
                    "unknown record format version " + version + " (this code reads version 1)");
        }
        long timestamp = buffer.getLong();
        int keyLength = buffer.getInt();
        if (keyLength < -1 || keyLength > buffer.remaining() - 4) {
            throw new IllegalArgumentException("bad key length " + keyLength);
        }
        byte[] key = null;
        if (keyLength >= 0) {
            key = new byte[keyLength];
            buffer.get(key);
        }
        int payloadLength = buffer.getInt();
        if (payloadLength != buffer.remaining()) {
            throw new IllegalArgumentException(
                    "payload length "
                            + payloadLength
                            + " does not match the "
                            + buffer.remaining()
                            + " bytes left");
        }
        byte[] payload = new byte[payloadLength];
        buffer.get(payload);
        return new PartitionRecord(partition, sequence, key, payload, timestamp);
    }
}
