package io.idempotent.flink.bench.micro;

import java.io.PrintStream;
import java.util.Collection;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs the JMH micro-benchmarks (store, protocol core, the sink's element sizing) in a forked JVM
 * and prints one line each.
 */
public final class MicroBenchmarks {

    private MicroBenchmarks() {}

    public static void run(PrintStream out) throws RunnerException {
        Options options =
                new OptionsBuilder()
                        .include(StoreBenchmark.class.getName())
                        .include(ProtocolBenchmark.class.getName())
                        .include(SizerBenchmark.class.getName())
                        .forks(1)
                        .warmupIterations(2)
                        .warmupTime(TimeValue.seconds(1))
                        .measurementIterations(3)
                        .measurementTime(TimeValue.seconds(1))
                        .verbosity(VerboseMode.SILENT)
                        .build();
        Collection<RunResult> results = new Runner(options).run();
        out.println("JMH (1 fork, 2 x 1 s warm-up, 3 x 1 s measured):");
        for (RunResult result : results) {
            var primary = result.getPrimaryResult();
            String benchmark = result.getParams().getBenchmark();
            StringBuilder params = new StringBuilder();
            for (String key : result.getParams().getParamsKeys()) {
                params.append(key).append('=').append(result.getParams().getParam(key)).append(' ');
            }
            out.printf(
                    Locale.ROOT,
                    "  %-55s %-30s %,12.0f ± %,.0f %s%n",
                    benchmark.substring(
                            benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1),
                    params.toString().trim(),
                    primary.getScore(),
                    primary.getScoreError(),
                    primary.getScoreUnit());
        }
        out.println();
    }
}
