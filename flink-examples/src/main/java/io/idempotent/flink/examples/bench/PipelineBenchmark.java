package io.idempotent.flink.examples.bench;

import io.idempotent.flink.checkpoint.WriteDurability;
import io.idempotent.flink.checkpoint.rocksdb.RocksDbCheckpointStore;
import io.idempotent.flink.destination.DestinationFactory;
import io.idempotent.flink.destination.file.FileDestination;
import io.idempotent.flink.sink.IdempotentSink;
import io.idempotent.flink.source.IdempotentSource;
import io.idempotent.flink.source.Traced;
import io.idempotent.flink.stream.PartitionRecord;
import io.idempotent.flink.stream.local.LocalStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * Runs the same job over the same data with different sinks, in one JVM, one after another, and
 * reports throughput and ratios measured in the same run: the ceiling (a discarding sink), the
 * at-least-once baseline (the same file destination without store or identities), and this
 * library's exactly-once sink with synced and relaxed store writes.
 */
public final class PipelineBenchmark {

    /** What to run. */
    public record Settings(
            Path dir,
            int partitions,
            int recordsPerPartition,
            int payloadBytes,
            int parallelism,
            Duration checkpointInterval,
            int repetitions,
            String only) {}

    /** One measured run. */
    record Result(String variant, long records, double seconds) {
        double throughput() {
            return records / seconds;
        }
    }

    private PipelineBenchmark() {}

    public static Map<String, Double> run(Settings settings, PrintStream out) throws Exception {
        Path streamDir = settings.dir().resolve("stream");
        if (!Files.exists(streamDir)) {
            fill(streamDir, settings);
        }
        long records = (long) settings.partitions() * settings.recordsPerPartition();
        out.printf(
                Locale.ROOT,
                "Data: %d partitions x %,d records of %d bytes (%,d records); parallelism %d;"
                        + " checkpoint interval %s; best of %d runs per variant%n",
                settings.partitions(),
                settings.recordsPerPartition(),
                settings.payloadBytes(),
                records,
                settings.parallelism(),
                settings.checkpointInterval(),
                settings.repetitions());

        Map<String, Double> best = new LinkedHashMap<>();
        String[] variants = {
            "D ceiling (discarding sink)",
            "A at-least-once (files)",
            "B exactly-once (files, store synced)",
            "B exactly-once (files, store relaxed)"
        };
        // Interleaved repetitions, so that a slow phase of the machine hits every variant alike.
        for (int repetition = 0; repetition < settings.repetitions(); repetition++) {
            for (int v = 0; v < variants.length; v++) {
                if (settings.only() != null && !variants[v].startsWith(settings.only())) {
                    continue;
                }
                Path runDir = settings.dir().resolve("run-" + repetition + "-" + v);
                double seconds = runOnce(v, streamDir, runDir, settings);
                best.merge(variants[v], records / seconds, Math::max);
                out.printf(
                        Locale.ROOT,
                        "  run %d %-40s %8.2f s %,12.0f records/s%n",
                        repetition + 1,
                        variants[v],
                        seconds,
                        records / seconds);
            }
        }
        out.println();
        if (best.size() < variants.length) {
            return best;
        }
        out.printf("%-40s %14s%n", "variant", "records/s");
        best.forEach(
                (variant, throughput) ->
                        out.printf(Locale.ROOT, "%-40s %,14.0f%n", variant, throughput));
        double ceiling = best.get(variants[0]);
        double atLeastOnce = best.get(variants[1]);
        double worstOurs = Math.min(best.get(variants[2]), best.get(variants[3]));
        out.printf(
                Locale.ROOT,
                "ratio ours exactly-once/at-least-once = %.2f%n",
                worstOurs / atLeastOnce);
        out.printf(Locale.ROOT, "ratio at-least-once/ceiling = %.2f%n", atLeastOnce / ceiling);
        return best;
    }

    private static double runOnce(int variant, Path streamDir, Path runDir, Settings settings)
            throws Exception {
        Configuration conf = new Configuration();
        conf.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                runDir.resolve("flink-checkpoints").toUri().toString());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(conf);
        env.setParallelism(settings.parallelism());
        env.enableCheckpointing(settings.checkpointInterval().toMillis());
        DataStream<Traced<String>> lines =
                env.fromSource(
                                IdempotentSource.builder().stream(LocalStream.factory(streamDir))
                                        .bounded()
                                        .build(),
                                WatermarkStrategy.noWatermarks(),
                                "stream")
                        .map(new ToLine())
                        .returns(TypeInformation.of(new TypeHint<Traced<String>>() {}));
        DestinationFactory<String> files =
                FileDestination.factory(
                        runDir.resolve("out"), line -> line.getBytes(StandardCharsets.UTF_8));
        Sink<Traced<String>> sink;
        switch (variant) {
            case 0:
                sink = new DiscardingSink<>();
                break;
            case 1:
                sink = new AtLeastOnceFileSink(files);
                break;
            default:
                sink =
                        IdempotentSink.<String>builder()
                                .elementType(Types.STRING)
                                .destination(files)
                                .checkpointStore(
                                        RocksDbCheckpointStore.factory(
                                                runDir.resolve("store"),
                                                variant == 2
                                                        ? WriteDurability.SYNCED
                                                        : WriteDurability.RELAXED))
                                .build();
        }
        lines.sinkTo(sink);
        long started = System.nanoTime();
        env.execute("benchmark-" + variant);
        return (System.nanoTime() - started) / 1e9;
    }

    private static void fill(Path streamDir, Settings settings) {
        byte[] padding = new byte[Math.max(0, settings.payloadBytes() - 40)];
        java.util.Arrays.fill(padding, (byte) 'x');
        String pad = new String(padding, StandardCharsets.US_ASCII);
        try (LocalStream stream =
                LocalStream.create(
                        streamDir, "bench", settings.partitions(), WriteDurability.RELAXED)) {
            for (String partition : stream.partitions()) {
                List<LocalStream.NewRecord> chunk = new ArrayList<>();
                for (int n = 0; n < settings.recordsPerPartition(); n++) {
                    chunk.add(
                            LocalStream.NewRecord.of(
                                    ("{\"n\":" + n + ",\"pad\":\"" + pad + "\"}")
                                            .getBytes(StandardCharsets.UTF_8),
                                    System.currentTimeMillis()));
                    if (chunk.size() == 10_000) {
                        stream.appendAll(partition, chunk);
                        chunk.clear();
                    }
                }
                if (!chunk.isEmpty()) {
                    stream.appendAll(partition, chunk);
                }
            }
        }
    }

    /** The same light transformation in every variant. */
    static final class ToLine implements MapFunction<Traced<PartitionRecord>, Traced<String>> {
        @Override
        public Traced<String> map(Traced<PartitionRecord> traced) {
            return traced.map(
                    record ->
                            record.partition()
                                    + ":"
                                    + record.sequence()
                                    + " "
                                    + new String(record.payload(), StandardCharsets.UTF_8));
        }
    }
}
