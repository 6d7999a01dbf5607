package io.idempotent.flink.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.idempotent.flink.checkpoint.CheckpointStoreException;
import io.idempotent.flink.checkpoint.PartitionCheckpoint;
import io.idempotent.flink.checkpoint.rocksdb.RocksDbCheckpointStore;
import io.idempotent.flink.stream.PartitionRecord;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import io.idempotent.flink.stream.local.LocalStream;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM appends to the local stream and writes the RocksDB checkpoint store until it is
 * killed with SIGKILL; then every write it acknowledged must be there, and both directories must
 * open. Three kills in a row on the same directories. Proves design.md rows S1 and S2.
 */
class CrashSafetyTest {

    @TempDir Path directory;

    /**
     * What the child acknowledged, per partition: the last appended sequence, the last store state.
     */
    private final Map<Integer, Long> appended = new HashMap<>();

    private final Map<Integer, long[]> stored = new HashMap<>();

    @Test
    void acknowledgedAppendsAndCheckpointsSurviveSigkill() throws Exception {
        Path streamDir = directory.resolve("stream");
        Path storeDir = directory.resolve("store");
        for (int round = 0; round < 3; round++) {
            Process child =
                    new ProcessBuilder(
                                    Path.of(System.getProperty("java.home"), "bin", "java")
                                            .toString(),
                                    "-cp",
                                    System.getProperty("java.class.path"),
                                    CrashWorkload.class.getName(),
                                    streamDir.toString(),
                                    storeDir.toString())
                            .redirectError(ProcessBuilder.Redirect.INHERIT)
                            .start();
            CountDownLatch enough = new CountDownLatch(400);
            CountDownLatch ready = new CountDownLatch(1);
            Thread reader = new Thread(() -> readAcks(child, ready, enough), "crash-acks");
            reader.start();
            assertThat(ready.await(60, TimeUnit.SECONDS)).as("child started").isTrue();

            // While the child holds the directories, another process gets a clear error.
            assertThatThrownBy(() -> RocksDbCheckpointStore.open(storeDir))
                    .isInstanceOf(CheckpointStoreException.class)
                    .hasMessageContaining("held by another process")
                    .hasMessageContaining("PostgreSQL");
            try (LocalStream view = LocalStream.openReadOnly(streamDir)) {
                assertThat(view.partitions()).hasSize(CrashWorkload.PARTITIONS);
            }

            enough.await(60, TimeUnit.SECONDS);
            child.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no close
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            reader.join(10_000);
            assertThat(child.exitValue()).isEqualTo(137);
            verifyAcknowledgedWrites(streamDir, storeDir);
        }
        assertThat(appended).hasSize(CrashWorkload.PARTITIONS);
    }

    private void readAcks(Process child, CountDownLatch ready, CountDownLatch enough) {
        try (BufferedReader lines =
                new BufferedReader(
                        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                String[] parts = line.split(" ");
                switch (parts[0]) {
                    case "READY":
                        ready.countDown();
                        break;
                    case "APPEND":
                        synchronized (this) {
                            appended.put(Integer.parseInt(parts[1]), Long.parseLong(parts[2]));
                        }
                        enough.countDown();
                        break;
                    case "STORE":
                        synchronized (this) {
                            stored.put(
                                    Integer.parseInt(parts[1]),
                                    new long[] {
                                        Long.parseLong(parts[2]),
                                        Long.parseLong(parts[3]),
                                        Long.parseLong(parts[4])
                                    });
                        }
                        break;
                    default:
                        // a partial last line cut by the kill
                }
            }
        } catch (java.io.IOException e) {
            // the pipe closes when the child dies
        }
    }

    private synchronized void verifyAcknowledgedWrites(Path streamDir, Path storeDir) {
        try (LocalStream stream = LocalStream.open(streamDir);
                RocksDbCheckpointStore store = RocksDbCheckpointStore.open(storeDir)) {
            for (Map.Entry<Integer, Long> entry : appended.entrySet()) {
                String partition = Integer.toString(entry.getKey());
                long last = entry.getValue();
                assertThat(stream.endSequence(partition))
                        .as("end of partition %s after acknowledged sequence %d", partition, last)
                        .isGreaterThan(last);
                List<PartitionRecord> records =
                        stream.readRange(partition, SequenceRange.of(0, last));
                assertThat(records).hasSize((int) last + 1);
                List<Long> sequences = new ArrayList<>();
                records.forEach(r -> sequences.add(r.sequence()));
                assertThat(sequences).isSorted().doesNotHaveDuplicates();
            }
            for (Map.Entry<Integer, long[]> entry : stored.entrySet()) {
                long[] ack = entry.getValue();
                PartitionCheckpoint now =
                        store.load(new StreamPartition("crash", Integer.toString(entry.getKey())));
                assertThat(now.committed()).isGreaterThanOrEqualTo(ack[0]);
                if (now.pending() == null) {
                    assertThat(now.committed()).isGreaterThanOrEqualTo(ack[2]);
                } else {
                    assertThat(now.pending().range().from()).isGreaterThanOrEqualTo(ack[1]);
                }
            }
        }
    }
}
