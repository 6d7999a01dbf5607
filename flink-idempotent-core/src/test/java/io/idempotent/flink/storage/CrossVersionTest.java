package io.idempotent.flink.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.idempotent.flink.checkpoint.PartitionCheckpoint;
import io.idempotent.flink.checkpoint.rocksdb.RocksDbCheckpointStore;
import io.idempotent.flink.stream.PartitionRecord;
import io.idempotent.flink.stream.StreamPartition;
import io.idempotent.flink.stream.local.LocalStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksDB;

/**
 * Proves design.md row S5: a checkpoint store or local stream written outside Flink — by the
 * operator tools or a standalone application, on the rocksdbjni the build pins — opens inside
 * Flink, whose frocksdbjni 8.10 is what a job loads. Seen failing with rocksdbjni 11.8.1: "Corrupt
 * or unsupported format_version: 7"; with its table format set to 5, "bad block contents".
 */
class CrossVersionTest {

    @TempDir Path directory;

    @Test
    void whatRocksDbJniWroteOpensOnFlinksRocksDb() throws Exception {
        RocksDB.loadLibrary();
        assumeTrue(
                System.getProperty("rocksdbjni.jar") != null,
                "runs where Flink's frocksdbjni reads (the default test run)");
        Path rocksdbjni = Path.of(System.getProperty("rocksdbjni.jar"));
        assertThat(rocksdbjni).exists();
        String withoutFrocksdb =
                Stream.concat(
                                Stream.of(rocksdbjni.toString()),
                                Stream.of(
                                                System.getProperty("java.class.path")
                                                        .split(File.pathSeparator))
                                        .filter(entry -> !entry.contains("frocksdbjni")))
                        .collect(Collectors.joining(File.pathSeparator));
        Path streamDir = directory.resolve("stream");
        Path storeDir = directory.resolve("store");
        Process child =
                new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-cp",
                                withoutFrocksdb,
                                CrossVersionWriter.class.getName(),
                                streamDir.toString(),
                                storeDir.toString())
                        .redirectError(ProcessBuilder.Redirect.INHERIT)
                        .start();
        String version =
                new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).isZero();
        assertThat(version)
                .as("the writer ran on rocksdbjni, not on Flink's frocksdbjni")
                .isNotEqualTo(RocksDB.rocksdbVersion().toString());

        try (LocalStream stream = LocalStream.openReadOnly(streamDir)) {
            List<PartitionRecord> records = stream.readFrom("0", 0, CrossVersionWriter.RECORDS);
            assertThat(records).hasSize(CrossVersionWriter.RECORDS);
            assertThat(new String(records.get(7).payload(), StandardCharsets.UTF_8))
                    .isEqualTo("record-7");
        }
        try (RocksDbCheckpointStore store = RocksDbCheckpointStore.open(storeDir)) {
            PartitionCheckpoint checkpoint = store.load(new StreamPartition("written", "0"));
            assertThat(checkpoint.pending()).isNotNull();
            assertThat(checkpoint.pending().range().to())
                    .isEqualTo(CrossVersionWriter.RECORDS - 1L);
        }
    }
}
