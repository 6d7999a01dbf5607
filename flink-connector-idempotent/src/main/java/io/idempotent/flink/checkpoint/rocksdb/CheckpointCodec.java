package io.idempotent.flink.checkpoint.rocksdb;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.checkpoint.PartitionCheckpoint;
import io.idempotent.flink.checkpoint.PendingCheckpoint;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Binary layout of the RocksDB store's keys and values. Values start with a format version. */
final class CheckpointCodec {

    static final byte META_PREFIX = 0;
    static final byte PARTITION_PREFIX = 1;
    static final int VERSION = 1;

    private CheckpointCodec() {}

    static byte[] key(StreamPartition partition) {
        byte[] stream = partition.stream().getBytes(StandardCharsets.UTF_8);
        byte[] name = partition.partition().getBytes(StandardCharsets.UTF_8);
        return write(
                out -> {
                    out.writeByte(PARTITION_PREFIX);
                    out.writeInt(stream.length);
                    out.write(stream);
                    out.write(name);
                });
    }

    static byte[] encode(PartitionCheckpoint checkpoint) {
        return write(
                out -> {
                    out.writeByte(VERSION);
                    out.writeLong(checkpoint.epoch());
                    out.writeLong(checkpoint.committed());
                    PendingCheckpoint pending = checkpoint.pending();
                    out.writeBoolean(pending != null);
                    if (pending != null) {
                        out.writeLong(pending.range().from());
                        out.writeLong(pending.range().to());
                        writeString(out, pending.batchId().value());
                        out.writeBoolean(pending.location() != null);
                        if (pending.location() != null) {
                            writeString(out, pending.location());
                        }
                    }
                });
    }

    /** Decodes a value, or throws {@link IOException} saying what is wrong. */
    static PartitionCheckpoint decode(byte[] bytes) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int version = in.readUnsignedByte();
            if (version != VERSION) {
                throw new IOException(
                        "unknown format version " + version + "; this code reads " + VERSION);
            }
            long epoch = in.readLong();
            long committed = in.readLong();
            PendingCheckpoint pending = null;
            if (in.readBoolean()) {
                SequenceRange range = SequenceRange.of(in.readLong(), in.readLong());
                BatchId batchId = BatchId.parse(readString(in));
                String location = in.readBoolean() ? readString(in) : null;
                pending = new PendingCheckpoint(range, batchId, location);
            }
            if (in.available() > 0) {
                throw new IOException(in.available() + " unexpected trailing bytes");
            }
            return new PartitionCheckpoint(epoch, committed, pending);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static void writeString(DataOutputStream out, String value) throws IOException {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String readString(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > in.available()) {
            throw new IOException("bad string length " + length);
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static byte[] write(Writer writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writer.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    @FunctionalInterface
    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }
}
