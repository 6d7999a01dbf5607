package io.idempotent.flink.checkpoint.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.idempotent.flink.checkpoint.CheckpointStoreException;
import io.idempotent.flink.checkpoint.PartitionCheckpoint;
import io.idempotent.flink.checkpoint.PartitionCheckpointStore;
import io.idempotent.flink.checkpoint.PartitionCheckpointStoreContract;
import io.idempotent.flink.stream.StreamPartition;
import io.idempotent.flink.stream.local.LocalStream;
import io.idempotent.flink.testutils.TempDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import net.jqwik.api.Example;

/** The store contract on RocksDB, plus what is particular to an embedded store. */
class RocksDbCheckpointStoreTest extends PartitionCheckpointStoreContract {

    private static final StreamPartition P = new StreamPartition("s", "0");

    @Override
    protected StoreFixture newFixture() {
        Path directory = TempDirs.create("rocksdb-store");
        return new StoreFixture() {
            private PartitionCheckpointStore store = RocksDbCheckpointStore.open(directory);

            @Override
            public PartitionCheckpointStore store() {
                return store;
            }

            @Override
            public PartitionCheckpointStore crashAndReopen() {
                store.close();
                store = RocksDbCheckpointStore.open(directory);
                return store;
            }

            @Override
            public void close() {
                store.close();
                TempDirs.delete(directory);
            }
        };
    }

    @Example
    void storesOnOneDirectoryShareOneDatabaseInAJvm() {
        Path directory = TempDirs.create("rocksdb-shared");
        try (RocksDbCheckpointStore first = RocksDbCheckpointStore.open(directory);
                RocksDbCheckpointStore second = RocksDbCheckpointStore.open(directory)) {
            long epoch = first.acquire(P);
            assertThat(second.acquire(P)).isEqualTo(epoch + 1);
            first.close();
            assertThat(second.load(P).epoch()).isEqualTo(epoch + 1);
        } finally {
            TempDirs.delete(directory);
        }
    }

    /** Proves design.md row S4. */
    @Example
    void refusesADirectoryThatHoldsSomethingElse() throws Exception {
        Path directory = TempDirs.create("rocksdb-foreign");
        try {
            Files.writeString(directory.resolve("notes.txt"), "mine");
            assertThatThrownBy(() -> RocksDbCheckpointStore.open(directory))
                    .isInstanceOf(CheckpointStoreException.class)
                    .hasMessageContaining("not empty and holds no RocksDB database");
            assertThat(Files.readString(directory.resolve("notes.txt"))).isEqualTo("mine");
        } finally {
            TempDirs.delete(directory);
        }
    }

    /** Proves design.md row S4. */
    @Example
    void refusesALocalStreamDirectory() {
        Path directory = TempDirs.create("rocksdb-stream");
        try {
            LocalStream.create(directory, "s", 1).close();
            assertThatThrownBy(() -> RocksDbCheckpointStore.open(directory))
                    .isInstanceOf(CheckpointStoreException.class)
                    .hasMessageContaining("not a checkpoint store");
        } finally {
            TempDirs.delete(directory);
        }
    }

    @Example
    void aReadOnlyViewSeesCheckpointsAndRefusesWrites() {
        Path directory = TempDirs.create("rocksdb-readonly");
        try {
            try (RocksDbCheckpointStore store = RocksDbCheckpointStore.open(directory)) {
                store.acquire(P);
            }
            try (RocksDbCheckpointStore view = RocksDbCheckpointStore.openReadOnly(directory)) {
                assertThat(view.load(P)).isEqualTo(new PartitionCheckpoint(1, -1, null));
                assertThatThrownBy(() -> view.acquire(P))
                        .isInstanceOf(CheckpointStoreException.class)
                        .hasMessageContaining("read-only");
            }
        } finally {
            TempDirs.delete(directory);
        }
    }
}
