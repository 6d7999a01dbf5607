package io.idempotent.flink.checkpoint.rocksdb;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.checkpoint.PartitionCheckpoint;
import io.idempotent.flink.checkpoint.PendingCheckpoint;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Binary layout of the RocksDB store's keys and values (big-endian, as {@link java.io.DataOutput}
 * writes them). Values start with a format version. Written straight into arrays of their exact
 * size: a delivery encodes two rows per batch, thousands per write at thousands of partitions.
 */
final class CheckpointCodec {

    static final byte META_PREFIX = 0;
    static final byte PARTITION_PREFIX = 1;
    static final int VERSION = 1;

    private CheckpointCodec() {}

    /** {@code PARTITION_PREFIX}, the stream's length (4 bytes), the stream, the partition. */
    static byte[] key(StreamPartition partition) {
        byte[] stream = partition.stream().getBytes(StandardCharsets.UTF_8);
        byte[] name = partition.partition().getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + 4 + stream.length + name.length)
                .put(PARTITION_PREFIX)
                .putInt(stream.length)
                .put(stream)
                .put(name)
                .array();
    }

    /** The partition of a {@link #key}. */
    static StreamPartition partition(byte[] key) {
        ByteBuffer buffer = ByteBuffer.wrap(key);
        buffer.get();
        int length = buffer.getInt();
        String stream = new String(key, 5, length, StandardCharsets.UTF_8);
        String name = new String(key, 5 + length, key.length - 5 - length, StandardCharsets.UTF_8);
        return new StreamPartition(stream, name);
    }

    /**
     * The version, epoch, committed position, whether a range is pending, and if so its first and
     * last sequence, its batch identity and whether it has a location, and the location; strings as
     * their length (4 bytes) and UTF-8 bytes.
     */
    static byte[] encode(PartitionCheckpoint checkpoint) {
        PendingCheckpoint pending = checkpoint.pending();
        byte[] batchId = null;
        byte[] location = null;
        int size = 1 + 8 + 8 + 1;
        if (pending != null) {
            batchId = pending.batchId().value().getBytes(StandardCharsets.UTF_8);
            size += 8 + 8 + 4 + batchId.length + 1;
            if (pending.location() != null) {
                location = pending.location().getBytes(StandardCharsets.UTF_8);
                size += 4 + location.length;
            }
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put((byte) VERSION).putLong(checkpoint.epoch()).putLong(checkpoint.committed());
        out.put(bool(pending != null));
        if (pending != null) {
            out.putLong(pending.range().from()).putLong(pending.range().to());
            out.putInt(batchId.length).put(batchId);
            out.put(bool(location != null));
            if (location != null) {
                out.putInt(location.length).put(location);
            }
        }
        return out.array();
    }

    /** Decodes a value, or throws {@link IOException} saying what is wrong. */
    static PartitionCheckpoint decode(byte[] bytes) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            int version = Byte.toUnsignedInt(in.get());
            if (version != VERSION) {
                throw new IOException(
                        "unknown format version " + version + "; this code reads " + VERSION);
            }
            long epoch = in.getLong();
            long committed = in.getLong();
            PendingCheckpoint pending = null;
            if (in.get() != 0) {
                SequenceRange range = SequenceRange.of(in.getLong(), in.getLong());
                BatchId batchId = BatchId.parse(readString(in));
                String location = in.get() != 0 ? readString(in) : null;
                pending = new PendingCheckpoint(range, batchId, location);
            }
            if (in.hasRemaining()) {
                throw new IOException(in.remaining() + " unexpected trailing bytes");
            }
            return new PartitionCheckpoint(epoch, committed, pending);
        } catch (BufferUnderflowException e) {
            throw new IOException("the value ends early (" + bytes.length + " bytes)", e);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static byte bool(boolean value) {
        return (byte) (value ? 1 : 0);
    }

    private static String readString(ByteBuffer in) throws IOException {
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
            throw new IOException("bad string length " + length);
        }
        String value = new String(in.array(), in.position(), length, StandardCharsets.UTF_8);
        in.position(in.position() + length);
        return value;
    }
}
