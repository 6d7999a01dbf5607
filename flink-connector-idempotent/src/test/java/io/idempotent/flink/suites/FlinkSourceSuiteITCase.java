package io.idempotent.flink.suites;

import org.apache.flink.connector.testframe.environment.MiniClusterTestEnvironment;
import org.apache.flink.connector.testframe.external.ExternalContextFactory;
import org.apache.flink.connector.testframe.junit.annotations.TestContext;
import org.apache.flink.connector.testframe.junit.annotations.TestEnv;
import org.apache.flink.connector.testframe.junit.annotations.TestSemantics;
import org.apache.flink.connector.testframe.testsuites.SourceTestSuiteBase;
import org.apache.flink.streaming.api.CheckpointingMode;
import org.junit.jupiter.api.Nested;

/**
 * Flink's own source test suite (single and multiple splits, savepoint, scale up and down, metrics,
 * idle reader, TaskManager failure) on our source over the embedded stream.
 */
class FlinkSourceSuiteITCase {

    @Nested
    class LocalStreamSource extends SourceTestSuiteBase<String> {

        @TestEnv MiniClusterTestEnvironment flink = new MiniClusterTestEnvironment();

        @TestSemantics
        CheckpointingMode[] semantics = new CheckpointingMode[] {CheckpointingMode.EXACTLY_ONCE};

        @TestContext
        ExternalContextFactory<LocalStreamSourceExternalContext> stream =
                testName -> new LocalStreamSourceExternalContext();
    }
}
