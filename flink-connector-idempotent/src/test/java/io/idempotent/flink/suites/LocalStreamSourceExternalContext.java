package io.idempotent.flink.suites;

import io.idempotent.flink.source.IdempotentSource;
import io.idempotent.flink.source.IdempotentSourceBuilder;
import io.idempotent.flink.stream.local.LocalStream;
import io.idempotent.flink.testutils.TempDirs;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.testframe.external.ExternalSystemSplitDataWriter;
import org.apache.flink.connector.testframe.external.source.DataStreamSourceExternalContext;
import org.apache.flink.connector.testframe.external.source.TestingSourceSettings;

/**
 * The embedded local stream for Flink's source test suite: each split data writer is a new
 * partition, found by the enumerator's discovery.
 */
final class LocalStreamSourceExternalContext implements DataStreamSourceExternalContext<String> {

    private final Path directory = TempDirs.create("source-suite").resolve("stream");

    LocalStreamSourceExternalContext() {
        LocalStream.create(directory, "suite", 0).close();
    }

    @Override
    public Source<String, ?, ?> createSource(TestingSourceSettings settings) {
        IdempotentSourceBuilder builder =
                IdempotentSource.builder().stream(LocalStream.factory(directory))
                        .partitionDiscoveryInterval(Duration.ofMillis(200));
        if (settings.getBoundedness() == Boundedness.BOUNDED) {
            builder.bounded();
        }
        return new PayloadSource(builder.build());
    }

    @Override
    public ExternalSystemSplitDataWriter<String> createSourceSplitDataWriter(
            TestingSourceSettings settings) {
        LocalStream stream = LocalStream.open(directory);
        String partition = Integer.toString(stream.addPartitions(1) - 1);
        return new ExternalSystemSplitDataWriter<>() {
            @Override
            public void writeRecords(List<String> records) {
                List<LocalStream.NewRecord> batch = new ArrayList<>();
                for (String record : records) {
                    batch.add(
                            LocalStream.NewRecord.of(
                                    record.getBytes(StandardCharsets.UTF_8),
                                    System.currentTimeMillis()));
                }
                stream.appendAll(partition, batch);
            }

            @Override
            public void close() {
                stream.close();
            }
        };
    }

    @Override
    public List<String> generateTestData(
            TestingSourceSettings settings, int splitIndex, long seed) {
        Random random = new Random(seed);
        List<String> data = new ArrayList<>();
        int count = 50 + random.nextInt(150);
        for (int i = 0; i < count; i++) {
            data.add("split-" + splitIndex + "-" + i + "-" + Long.toHexString(random.nextLong()));
        }
        return data;
    }

    @Override
    public TypeInformation<String> getProducedType() {
        return Types.STRING;
    }

    @Override
    public List<URL> getConnectorJarPaths() {
        return List.of();
    }

    @Override
    public void close() {
        TempDirs.delete(directory.getParent());
    }
}
