package io.idempotent.flink.stream.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.idempotent.flink.checkpoint.rocksdb.RocksDbCheckpointStore;
import io.idempotent.flink.stream.PartitionRecord;
import io.idempotent.flink.stream.PartitionedStream;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

class LocalStreamTest {

    @TempDir Path directory;

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Proves design.md row F20 for the local stream: a stream deleted and created again under its
     * name is another incarnation, so its partitions get other split names, checkpoints and batch
     * identities; reopening keeps the incarnation.
     */
    @Test
    void aStreamCreatedAgainUnderItsNameIsAnotherIncarnation() throws Exception {
        String first;
        try (LocalStream stream = LocalStream.create(directory, "orders", 1)) {
            first = stream.incarnation();
            assertThat(first).matches("[0-9a-f]{16}");
            assertThat(stream.qualifiedName()).isEqualTo("orders@" + first);
            assertThat(PartitionedStream.withoutIncarnation(stream.qualifiedName()))
                    .contains("orders");
            assertThat(PartitionedStream.withoutIncarnation("orders")).isEmpty();
        }
        try (LocalStream reopened = LocalStream.open(directory);
                LocalStream snapshot = LocalStream.openReadOnly(directory)) {
            assertThat(reopened.qualifiedName()).isEqualTo("orders@" + first);
            assertThat(snapshot.incarnation()).isEqualTo(first);
        }
        try (var files = Files.walk(directory)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        try (LocalStream again = LocalStream.create(directory, "orders", 1)) {
            assertThat(again.incarnation()).isNotEqualTo(first).matches("[0-9a-f]{16}");
        }
    }

    /** Forward reads of many partitions together, in the order asked, up to a total. */
    @Test
    void readsManyPartitionsForwardTogether() {
        try (LocalStream stream = LocalStream.create(directory, "orders", 4)) {
            for (int i = 0; i < 3; i++) {
                stream.append("0", null, bytes("a" + i), i);
                stream.append("2", null, bytes("c" + i), i);
                stream.append("3", null, bytes("d" + i), i);
            }
            Map<String, Long> from = new LinkedHashMap<>();
            from.put("2", 1L);
            from.put("1", 0L);
            from.put("0", 0L);
            from.put("3", 0L);
            var read = stream.readFromAll(from, 2, 3);
            assertThat(read).containsOnlyKeys("2", "1", "0"); // 2 + 0 + 2 records: then it stops
            assertThat(read.get("2")).extracting(PartitionRecord::sequence).containsExactly(1L, 2L);
            assertThat(read.get("1")).as("an empty partition").isEmpty();
            assertThat(read.get("0")).extracting(PartitionRecord::sequence).containsExactly(0L, 1L);
            assertThat(stream.readFromAll(from, 10, Integer.MAX_VALUE).get("3"))
                    .extracting(PartitionRecord::payload)
                    .containsExactly(bytes("d0"), bytes("d1"), bytes("d2"));
            assertThatThrownBy(() -> stream.readFromAll(Map.of("7", 0L), 1, 1))
                    .isInstanceOf(StreamException.class)
                    .hasMessageContaining("no partition '7'");
        }
    }

    /**
     * Proves design.md row F34 (the local stream's side): the ends of many partitions, looked up
     * together with one iterator, are each partition's end.
     */
    @Test
    void looksTheEndsOfManyPartitionsUpTogether() {
        try (LocalStream stream = LocalStream.create(directory, "orders", 4)) {
            for (int i = 0; i < 3; i++) {
                stream.append("2", null, bytes("c" + i), i);
            }
            stream.append("0", null, bytes("a"), 0);
            Map<String, Long> ends = stream.endSequences(List.of("3", "2", "1", "0"));
            assertThat(ends)
                    .containsExactly(
                            Map.entry("3", 0L),
                            Map.entry("2", 3L),
                            Map.entry("1", 0L),
                            Map.entry("0", 1L));
            for (String partition : List.of("0", "1", "2", "3")) {
                assertThat(ends.get(partition)).isEqualTo(stream.endSequence(partition));
            }
            assertThatThrownBy(() -> stream.endSequences(List.of("1", "4")))
                    .isInstanceOf(StreamException.class)
                    .hasMessageContaining("no partition '4'");
        }
    }

    @Test
    void appendsAndReadsForwardAndByRange() {
        try (LocalStream stream = LocalStream.create(directory, "orders", 2)) {
            assertThat(stream.partitions()).containsExactly("0", "1");
            assertThat(stream.endSequence("0")).isZero();
            assertThat(stream.readFrom("0", 0, 10)).isEmpty();

            assertThat(stream.append("0", bytes("k"), bytes("first"), 100)).isZero();
            SequenceRange range =
                    stream.appendAll(
                            "0",
                            List.of(
                                    LocalStream.NewRecord.of(bytes("second"), 101),
                                    LocalStream.NewRecord.of(bytes("third"), 102)));
            assertThat(range).isEqualTo(SequenceRange.of(1, 2));
            assertThat(stream.append("1", null, bytes("other"), 5)).isZero();

            assertThat(stream.endSequence("0")).isEqualTo(3);
            List<PartitionRecord> all = stream.readFrom("0", 0, 10);
            assertThat(all)
                    .containsExactly(
                            new PartitionRecord("0", 0, bytes("k"), bytes("first"), 100),
                            new PartitionRecord("0", 1, null, bytes("second"), 101),
                            new PartitionRecord("0", 2, null, bytes("third"), 102));
            assertThat(stream.readFrom("0", 1, 1))
                    .extracting(PartitionRecord::sequence)
                    .containsExactly(1L);
            assertThat(stream.readRange("0", SequenceRange.of(1, 2)))
                    .extracting(PartitionRecord::sequence)
                    .containsExactly(1L, 2L);
            assertThat(stream.readRange("0", SequenceRange.of(5, 9))).isEmpty();
        }
    }

    @Test
    void keepsRecordsAndPartitionsAcrossReopen() {
        try (LocalStream stream = LocalStream.create(directory, "orders", 1)) {
            stream.append("0", null, bytes("a"), 1);
            assertThat(stream.addPartitions(2)).isEqualTo(3);
            stream.append("2", null, bytes("b"), 2);
        }
        try (LocalStream stream = LocalStream.open(directory)) {
            assertThat(stream.name()).isEqualTo("orders");
            assertThat(stream.partitions()).containsExactly("0", "1", "2");
            assertThat(stream.endSequence("0")).isEqualTo(1);
            assertThat(stream.append("2", null, bytes("c"), 3)).isEqualTo(1);
        }
    }

    @Test
    void concurrentAppendersGetDistinctSequenceNumbers() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (LocalStream stream =
                LocalStream.create(
                        directory, "s", 1, io.idempotent.flink.storage.WriteDurability.RELAXED)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                futures.add(
                        pool.submit(
                                () -> {
                                    try (LocalStream second = LocalStream.open(directory)) {
                                        for (int i = 0; i < 250; i++) {
                                            second.append("0", null, bytes("x"), i);
                                        }
                                    }
                                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
            assertThat(stream.endSequence("0")).isEqualTo(1000);
            assertThat(stream.readFrom("0", 0, 2000)).hasSize(1000);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void readOnlyViewSeesRecordsAndRefusesAppends() {
        try (LocalStream stream = LocalStream.create(directory, "s", 1)) {
            stream.append("0", null, bytes("a"), 1);
        }
        try (LocalStream view = LocalStream.openReadOnly(directory)) {
            assertThat(view.readFrom("0", 0, 5)).hasSize(1);
            assertThatThrownBy(() -> view.append("0", null, bytes("b"), 2))
                    .isInstanceOf(StreamException.class)
                    .hasMessageContaining("read-only");
        }
    }

    @Test
    void badInputGetsAClearErrorAndAppendsNothing() {
        try (LocalStream stream = LocalStream.create(directory, "orders", 2)) {
            assertThatThrownBy(() -> stream.append("7", null, bytes("a"), 1))
                    .isInstanceOf(StreamException.class)
                    .hasMessage(
                            "Local stream 'orders' has no partition '7'; its partitions are 0 to 1.");
            byte[] huge = new byte[LocalStream.MAX_RECORD_BYTES + 1];
            assertThatThrownBy(
                            () ->
                                    stream.appendAll(
                                            "1",
                                            List.of(
                                                    LocalStream.NewRecord.of(bytes("ok"), 1),
                                                    LocalStream.NewRecord.of(huge, 2))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("partition 1 of local stream 'orders'")
                    .hasMessageContaining("nothing was appended");
            assertThat(stream.endSequence("1")).isZero();
        }
    }

    /** Proves design.md row S4. */
    @Test
    void refusesMissingForeignAndExistingDirectories() throws Exception {
        assertThatThrownBy(() -> LocalStream.open(directory.resolve("missing")))
                .isInstanceOf(StreamException.class)
                .hasMessageContaining("no such directory");

        Path notes = Files.createDirectories(directory.resolve("notes"));
        Files.writeString(notes.resolve("a.txt"), "mine");
        assertThatThrownBy(() -> LocalStream.create(notes, "s", 1))
                .isInstanceOf(StreamException.class)
                .hasMessageContaining("not empty and holds no RocksDB database");

        Path store = directory.resolve("store");
        RocksDbCheckpointStore.open(store).close();
        assertThatThrownBy(() -> LocalStream.open(store))
                .isInstanceOf(StreamException.class)
                .hasMessageContaining("not a local stream");

        Path existing = directory.resolve("existing");
        LocalStream.create(existing, "s", 1).close();
        assertThatThrownBy(() -> LocalStream.create(existing, "s", 1))
                .isInstanceOf(StreamException.class)
                .hasMessageContaining("already exists");
    }

    /** Proves design.md row S4. */
    @Test
    void aCorruptRecordIsNamedNotSkipped() throws Exception {
        try (LocalStream stream = LocalStream.create(directory, "orders", 1)) {
            stream.append("0", null, bytes("a"), 1);
        }
        RocksDB.loadLibrary();
        try (Options options = new Options();
                RocksDB db = RocksDB.open(options, directory.toString())) {
            db.put(RecordCodec.recordKey(0, 1), new byte[] {9, 9, 9});
        }
        try (LocalStream stream = LocalStream.open(directory)) {
            assertThatThrownBy(() -> stream.readFrom("0", 0, 10))
                    .isInstanceOf(StreamException.class)
                    .hasMessageContaining("Record 1 of partition 0 of local stream 'orders'")
                    .hasMessageContaining("unreadable");
        }
    }
}
