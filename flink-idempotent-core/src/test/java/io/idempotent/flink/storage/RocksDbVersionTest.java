package io.idempotent.flink.storage;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.rocksdb.RocksDB;

/**
 * The build runs the RocksDB-backed tests twice: on Flink's frocksdbjni 8.10.0 (what a Flink
 * deployment loads) and on rocksdbjni 8.10.2 (what a standalone application loads). This proves
 * that each run really has the library it claims.
 */
class RocksDbVersionTest {

    @Test
    void runsOnTheRocksDbTheBuildAskedFor() {
        String expected = System.getProperty("expected.rocksdb.version");
        RocksDB.loadLibrary();
        assertThat(RocksDB.rocksdbVersion().toString())
                .as("RocksDB version on this test classpath")
                .isEqualTo(expected);
    }
}
