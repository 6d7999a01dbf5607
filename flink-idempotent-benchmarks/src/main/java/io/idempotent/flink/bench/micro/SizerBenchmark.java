package io.idempotent.flink.bench.micro;

import io.idempotent.flink.origin.Origin;
import io.idempotent.flink.origin.Traced;
import io.idempotent.flink.origin.TracedSerializer;
import io.idempotent.flink.sink.ElementSizer;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * What the sink's byte limit costs per element, for the pipelines' element (a line of about 240
 * characters with its origin): counted by {@link ElementSizer}, and, as the baseline, serialized
 * into a buffer and measured (what the sizer did for every element before it counted strings and
 * origins).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SizerBenchmark {

    private final TracedSerializer<String> serializer =
            new TracedSerializer<>(StringSerializer.INSTANCE);
    private final ElementSizer<Traced<String>> sizer = new ElementSizer<>(serializer);
    private final DataOutputSerializer buffer = new DataOutputSerializer(256);
    private final Traced<String> element =
            new Traced<>(
                    new Origin("scale7@5f1c2a9e0b3d4c6f", "4711", 123_456, null, 1),
                    "4711:123456 1733461234567 " + "x".repeat(200));

    @Benchmark
    public long counted() {
        return sizer.sizeOf(element);
    }

    @Benchmark
    public long serialized() throws IOException {
        buffer.clear();
        serializer.serialize(element, buffer);
        return buffer.length();
    }
}
