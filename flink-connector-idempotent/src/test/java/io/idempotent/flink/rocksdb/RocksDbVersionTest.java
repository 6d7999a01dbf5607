package io.idempotent.flink.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.rocksdb.RocksDB;

/**
 * The build runs the RocksDB-backed tests twice: on Flink's frocksdbjni 8.10 (what a Flink
 * deployment loads) and on rocksdbjni (what a standalone application loads). This proves that each
 * run really has the library it claims.
 */
class RocksDbVersionTest {

    @Test
    void runsOnTheRocksDbTheBuildAskedFor() {
        String expected = System.getProperty("expected.rocksdb.major");
        RocksDB.loadLibrary();
        assertThat(RocksDB.rocksdbVersion().getMajor())
                .as("RocksDB major version on this test classpath")
                .isEqualTo(Integer.parseInt(expected));
    }
}
