package io.idempotent.flink.suites;

import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.testframe.external.sink.DataStreamSinkV2ExternalContext;
import org.apache.flink.connector.testframe.external.sink.TestingSinkSettings;

/** What every sink context of Flink's sink suite shares here: string test data, no extra jars. */
abstract class StringSinkExternalContext implements DataStreamSinkV2ExternalContext<String> {

    @Override
    public List<String> generateTestData(TestingSinkSettings settings, long seed) {
        Random random = new Random(seed);
        List<String> data = new ArrayList<>();
        int count = 100 + random.nextInt(200);
        for (int i = 0; i < count; i++) {
            data.add("record-" + i + "-" + Long.toHexString(random.nextLong()));
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
}
