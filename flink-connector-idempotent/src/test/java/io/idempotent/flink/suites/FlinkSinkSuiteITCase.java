package io.idempotent.flink.suites;

import org.apache.flink.connector.testframe.environment.MiniClusterTestEnvironment;
import org.apache.flink.connector.testframe.external.ExternalContextFactory;
import org.apache.flink.connector.testframe.junit.annotations.TestContext;
import org.apache.flink.connector.testframe.junit.annotations.TestEnv;
import org.apache.flink.connector.testframe.junit.annotations.TestSemantics;
import org.apache.flink.streaming.api.CheckpointingMode;
import org.junit.jupiter.api.Nested;

/**
 * Flink's own sink test suite (basic, savepoint, scale up and down, metrics) on our sink, plus our
 * TaskManager-failure and order tests in its style, into files and into a real PostgreSQL server.
 */
class FlinkSinkSuiteITCase {

    @Nested
    class AlignedSinkIntoFiles extends IdempotentSinkSuiteITCaseBase {

        @TestEnv MiniClusterTestEnvironment flink = new MiniClusterTestEnvironment();

        @TestSemantics
        CheckpointingMode[] semantics = new CheckpointingMode[] {CheckpointingMode.EXACTLY_ONCE};

        @TestContext
        ExternalContextFactory<AlignedSinkExternalContext> files =
                testName -> new AlignedSinkExternalContext();
    }

    @Nested
    class AlignedSinkIntoPostgres extends IdempotentSinkSuiteITCaseBase {

        @TestEnv MiniClusterTestEnvironment flink = new MiniClusterTestEnvironment();

        @TestSemantics
        CheckpointingMode[] semantics = new CheckpointingMode[] {CheckpointingMode.EXACTLY_ONCE};

        @TestContext
        ExternalContextFactory<AlignedSinkIntoPostgresContext> postgres =
                testName -> new AlignedSinkIntoPostgresContext();
    }
}
