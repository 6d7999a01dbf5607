package io.idempotent.flink.stream.local;

import io.idempotent.flink.storage.SharedRocksDb;
import io.idempotent.flink.storage.WriteDurability;
import io.idempotent.flink.stream.PartitionRecord;
import io.idempotent.flink.stream.PartitionedStream;
import io.idempotent.flink.stream.PartitionedStreamFactory;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * A durable partitioned log in a local directory, stored in RocksDB: the embedded stream that
 * examples and tests run on without any external service.
 *
 * <p>Partitions are named {@code "0"}, {@code "1"}, …; sequence numbers are dense from 0. One
 * process writes (RocksDB locks the directory); any number of threads read, and other processes may
 * {@link #openReadOnly read a snapshot}. Within one JVM every instance on a directory shares one
 * database handle.
 *
 * <pre>{@code
 * try (LocalStream stream = LocalStream.create(dir, "orders", 4)) {
 *     long sequence = stream.append("0", null, payload, System.currentTimeMillis());
 *     List<PartitionRecord> records = stream.readFrom("0", 0, 100);
 * }
 * }</pre>
 */
@PublicEvolving
public final class LocalStream implements PartitionedStream {

    /** The largest payload plus key that {@link #append} takes. */
    public static final int MAX_RECORD_BYTES = 16 * 1024 * 1024;

    private static final String PURPOSE = "local stream";
    private static final String FORMAT = "io.idempotent.flink.local-stream/1";
    private static final byte[] FORMAT_KEY = RecordCodec.metaKey("format");
    private static final byte[] NAME_KEY = RecordCodec.metaKey("name");
    private static final byte[] PARTITIONS_KEY = RecordCodec.metaKey("partitions");
    private static final byte[] INCARNATION_KEY = RecordCodec.metaKey("incarnation");

    private final SharedRocksDb handle;
    private final String name;
    private final String incarnation;
    private final boolean readOnly;
    private final WriteDurability durability;

    private LocalStream(
            SharedRocksDb handle,
            String name,
            String incarnation,
            boolean readOnly,
            WriteDurability durability) {
        this.handle = handle;
        this.name = name;
        this.incarnation = incarnation;
        this.readOnly = readOnly;
        this.durability = durability;
    }

    /**
     * Creates a new stream with {@code partitions} partitions (possibly none yet) in an empty or
     * missing directory.
     */
    public static LocalStream create(Path directory, String name, int partitions) {
        return create(directory, name, partitions, WriteDurability.SYNCED);
    }

    public static LocalStream create(
            Path directory, String name, int partitions, WriteDurability durability) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || partitions < 0) {
            throw new IllegalArgumentException(
                    "A local stream needs a non-empty name and zero or more partitions, but got '"
                            + name
                            + "' with "
                            + partitions
                            + " partitions.");
        }
        String incarnation = newIncarnation();
        SharedRocksDb handle = opening(() -> SharedRocksDb.open(directory, true, PURPOSE));
        try {
            synchronized (handle) {
                if (handle.db().get(FORMAT_KEY) != null) {
                    throw new StreamException(
                            String.format(
                                    "A local stream already exists at %s; open it instead of"
                                            + " creating it.",
                                    directory));
                }
                try (RocksIterator any = handle.db().newIterator()) {
                    any.seekToFirst();
                    if (any.isValid()) {
                        throw foreign(directory);
                    }
                }
                try (WriteBatch batch = new WriteBatch();
                        WriteOptions options = new WriteOptions().setSync(true)) {
                    batch.put(FORMAT_KEY, FORMAT.getBytes(StandardCharsets.UTF_8));
                    batch.put(NAME_KEY, name.getBytes(StandardCharsets.UTF_8));
                    batch.put(PARTITIONS_KEY, intBytes(partitions));
                    batch.put(INCARNATION_KEY, incarnation.getBytes(StandardCharsets.UTF_8));
                    handle.db().write(options, batch);
                }
            }
            return new LocalStream(handle, name, incarnation, false, durability);
        } catch (RocksDBException e) {
            handle.close();
            throw new StreamException("Cannot create a local stream at " + directory, e);
        } catch (RuntimeException e) {
            handle.close();
            throw e;
        }
    }

    /** A factory that opens the existing stream in {@code directory} where the job runs. */
    public static PartitionedStreamFactory factory(Path directory) {
        String path = directory.toAbsolutePath().toString();
        return () -> open(Path.of(path));
    }

    /** Opens an existing stream for reading and appending. */
    public static LocalStream open(Path directory) {
        return open(directory, WriteDurability.SYNCED);
    }

    public static LocalStream open(Path directory, WriteDurability durability) {
        return attach(
                opening(() -> SharedRocksDb.open(directory, false, PURPOSE)), false, durability);
    }

    /**
     * Opens a stream read-only, also while another process writes to it; it sees the records that
     * existed when it was opened.
     */
    public static LocalStream openReadOnly(Path directory) {
        return attach(
                opening(() -> SharedRocksDb.openReadOnly(directory, PURPOSE)),
                true,
                WriteDurability.SYNCED);
    }

    private static SharedRocksDb opening(java.util.function.Supplier<SharedRocksDb> opener) {
        try {
            return opener.get();
        } catch (java.io.UncheckedIOException e) {
            throw new StreamException(e.getCause().getMessage(), e);
        }
    }

    private static LocalStream attach(
            SharedRocksDb handle, boolean readOnly, WriteDurability durability) {
        try {
            byte[] format = handle.db().get(FORMAT_KEY);
            if (format == null) {
                throw foreign(handle.directory());
            }
            String found = new String(format, StandardCharsets.UTF_8);
            if (!FORMAT.equals(found)) {
                throw new StreamException(
                        String.format(
                                "The local stream at %s has format '%s', but this version reads"
                                        + " '%s'. Use the version of this library that wrote it.",
                                handle.directory(), found, FORMAT));
            }
            byte[] name = handle.db().get(NAME_KEY);
            if (name == null || handle.db().get(PARTITIONS_KEY) == null) {
                throw new StreamException(
                        "The local stream at "
                                + handle.directory()
                                + " is corrupt: its name or partition count is missing.");
            }
            byte[] incarnation = handle.db().get(INCARNATION_KEY);
            return new LocalStream(
                    handle,
                    new String(name, StandardCharsets.UTF_8),
                    incarnation == null ? "" : new String(incarnation, StandardCharsets.UTF_8),
                    readOnly,
                    durability);
        } catch (RocksDBException e) {
            handle.close();
            throw new StreamException("Cannot read the local stream at " + handle.directory(), e);
        } catch (RuntimeException e) {
            handle.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return name;
    }

    /**
     * The id drawn when the stream was created, so that a stream deleted and created again under
     * its name is never taken for the old one; empty for a stream created by an earlier version of
     * this library, which recorded none.
     */
    @Override
    public String incarnation() {
        return incarnation;
    }

    public Path directory() {
        return handle.directory();
    }

    @Override
    public List<String> partitions() {
        return IntStream.range(0, partitionCount())
                .mapToObj(Integer::toString)
                .collect(Collectors.toList());
    }

    /** Adds {@code count} partitions and returns the new number of partitions. */
    public int addPartitions(int count) {
        checkWritable();
        if (count < 1) {
            throw new IllegalArgumentException("Add at least one partition, not " + count + ".");
        }
        synchronized (handle) {
            int total = partitionCount() + count;
            write(WriteDurability.SYNCED, batch -> batch.put(PARTITIONS_KEY, intBytes(total)));
            return total;
        }
    }

    /** Appends one record and returns its sequence number once it is durable. */
    public long append(String partition, @Nullable byte[] key, byte[] payload, long timestamp) {
        return appendAll(partition, List.of(new NewRecord(key, payload, timestamp))).from();
    }

    /** Appends records to one partition in one write and returns the sequence numbers they got. */
    public SequenceRange appendAll(String partition, List<NewRecord> records) {
        checkWritable();
        int index = indexOf(partition);
        if (records.isEmpty()) {
            throw new IllegalArgumentException("Nothing to append to partition " + partition + ".");
        }
        List<byte[]> values = new ArrayList<>(records.size());
        for (NewRecord record : records) {
            values.add(encode(partition, record));
        }
        synchronized (handle) {
            long first = endSequence(partition);
            write(
                    durability,
                    batch -> {
                        for (int i = 0; i < values.size(); i++) {
                            batch.put(RecordCodec.recordKey(index, first + i), values.get(i));
                        }
                    });
            return SequenceRange.of(first, first + values.size() - 1);
        }
    }

    @Override
    public List<PartitionRecord> readFrom(String partition, long fromSequence, int maxRecords) {
        if (maxRecords < 1) {
            throw new IllegalArgumentException("maxRecords must be positive, not " + maxRecords);
        }
        return read(partition, Math.max(0, fromSequence), Long.MAX_VALUE, maxRecords);
    }

    /** One iterator (one view of the stream) and one look at the partition count for all. */
    @Override
    public Map<String, List<PartitionRecord>> readFromAll(
            Map<String, Long> positions, int maxRecords, int maxInAll) {
        if (maxRecords < 1) {
            throw new IllegalArgumentException("maxRecords must be positive, not " + maxRecords);
        }
        int count = partitionCount();
        Map<String, List<PartitionRecord>> read = new LinkedHashMap<>();
        int inAll = 0;
        try (ReadOptions options = new ReadOptions();
                RocksIterator iterator = handle.db().newIterator(options)) {
            for (Map.Entry<String, Long> position : positions.entrySet()) {
                if (inAll >= maxInAll) {
                    break;
                }
                String partition = position.getKey();
                List<PartitionRecord> records =
                        read(
                                iterator,
                                partition,
                                indexOf(partition, count),
                                Math.max(0, position.getValue()),
                                Long.MAX_VALUE,
                                maxRecords);
                read.put(partition, records);
                inAll += records.size();
            }
        }
        return read;
    }

    @Override
    public List<PartitionRecord> readRange(String partition, SequenceRange range) {
        return read(partition, range.from(), range.to(), Integer.MAX_VALUE);
    }

    @Override
    public long endSequence(String partition) {
        int index = indexOf(partition);
        try (ReadOptions options = new ReadOptions();
                RocksIterator iterator = handle.db().newIterator(options)) {
            return endSequence(iterator, index);
        }
    }

    /**
     * The ends of all {@code partitions} with one iterator and one read of the partition count: a
     * reader of thousands of partitions looks their ends up every second (for the lag), and an
     * iterator per partition cost more than the reading.
     */
    @Override
    public Map<String, Long> endSequences(Collection<String> partitions) {
        int count = partitionCount();
        Map<String, Long> ends = new LinkedHashMap<>();
        try (ReadOptions options = new ReadOptions();
                RocksIterator iterator = handle.db().newIterator(options)) {
            for (String partition : partitions) {
                ends.put(partition, endSequence(iterator, indexOf(partition, count)));
            }
        }
        return ends;
    }

    private static long endSequence(RocksIterator iterator, int index) {
        iterator.seekForPrev(RecordCodec.recordKey(index, Long.MAX_VALUE));
        if (iterator.isValid() && RecordCodec.isRecordOf(iterator.key(), index)) {
            return RecordCodec.sequenceOf(iterator.key()) + 1;
        }
        return 0;
    }

    @Override
    public void close() {
        handle.close();
    }

    private List<PartitionRecord> read(String partition, long from, long to, int maxRecords) {
        int index = indexOf(partition);
        try (ReadOptions options = new ReadOptions();
                RocksIterator iterator = handle.db().newIterator(options)) {
            return read(iterator, partition, index, from, to, maxRecords);
        }
    }

    private List<PartitionRecord> read(
            RocksIterator iterator,
            String partition,
            int index,
            long from,
            long to,
            int maxRecords) {
        List<PartitionRecord> records = new ArrayList<>();
        for (iterator.seek(RecordCodec.recordKey(index, from));
                iterator.isValid() && records.size() < maxRecords;
                iterator.next()) {
            byte[] key = iterator.key();
            if (!RecordCodec.isRecordOf(key, index)) {
                break;
            }
            long sequence = RecordCodec.sequenceOf(key);
            if (sequence > to) {
                break;
            }
            records.add(decode(partition, sequence, iterator.value()));
        }
        return records;
    }

    private PartitionRecord decode(String partition, long sequence, byte[] value) {
        try {
            return RecordCodec.decodeValue(partition, sequence, value);
        } catch (RuntimeException e) {
            throw new StreamException(
                    String.format(
                            "Record %d of partition %s of local stream '%s' at %s is unreadable"
                                    + " (%s). The directory is damaged or was written by another"
                                    + " program.",
                            sequence, partition, name, directory(), e.getMessage()),
                    e);
        }
    }

    private byte[] encode(String partition, NewRecord record) {
        Objects.requireNonNull(record.payload(), "payload");
        long size =
                (long) record.payload().length + (record.key() == null ? 0 : record.key().length);
        if (size > MAX_RECORD_BYTES) {
            throw new IllegalArgumentException(
                    String.format(
                            "A record of %d bytes for partition %s of local stream '%s' exceeds"
                                    + " the limit of %d bytes; nothing was appended. Split the"
                                    + " record or store large payloads elsewhere and append a"
                                    + " reference.",
                            size, partition, name, MAX_RECORD_BYTES));
        }
        return RecordCodec.encodeValue(record.key(), record.payload(), record.timestamp());
    }

    private int partitionCount() {
        try {
            byte[] value = handle.db().get(PARTITIONS_KEY);
            return ByteBuffer.wrap(value).getInt();
        } catch (RocksDBException e) {
            throw new StreamException("Cannot read the partitions of local stream " + name, e);
        }
    }

    private int indexOf(String partition) {
        return indexOf(partition, partitionCount());
    }

    private int indexOf(String partition, int count) {
        try {
            int index = Integer.parseInt(partition);
            if (index >= 0 && index < count && Integer.toString(index).equals(partition)) {
                return index;
            }
        } catch (NumberFormatException ignored) {
            // falls through to the error below
        }
        throw new StreamException(
                String.format(
                        "Local stream '%s' has no partition '%s'; its partitions are 0 to %d.",
                        name, partition, count - 1));
    }

    private void checkWritable() {
        if (readOnly) {
            throw new StreamException(
                    "Local stream '" + name + "' at " + directory() + " was opened read-only.");
        }
    }

    private void write(WriteDurability writeDurability, BatchFiller filler) {
        try (WriteBatch batch = new WriteBatch();
                WriteOptions options =
                        new WriteOptions().setSync(writeDurability == WriteDurability.SYNCED)) {
            filler.fill(batch);
            handle.db().write(options, batch);
        } catch (RocksDBException e) {
            throw new StreamException(
                    "Cannot write to local stream '" + name + "' at " + directory(), e);
        }
    }

    private static StreamException foreign(Path directory) {
        return new StreamException(
                String.format(
                        "The directory %s holds a RocksDB database that is not a local stream."
                                + " Choose an empty directory for a new stream.",
                        directory));
    }

    /** 64 random bits in hex: short in identities and file names, unique among a name's streams. */
    private static String newIncarnation() {
        return String.format("%016x", new java.security.SecureRandom().nextLong());
    }

    private static byte[] intBytes(int value) {
        return ByteBuffer.allocate(4).putInt(value).array();
    }

    @FunctionalInterface
    private interface BatchFiller {
        void fill(WriteBatch batch) throws RocksDBException;
    }

    /** A record to append: an optional key, the payload and a timestamp in epoch milliseconds. */
    @PublicEvolving
    public record NewRecord(@Nullable byte[] key, byte[] payload, long timestamp) {
        public static NewRecord of(byte[] payload, long timestamp) {
            return new NewRecord(null, payload, timestamp);
        }
    }
}
