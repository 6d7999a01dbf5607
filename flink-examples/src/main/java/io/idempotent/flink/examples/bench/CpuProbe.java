package io.idempotent.flink.examples.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The CPU time this process spent between its creation and {@link #stop}, split by who spent it:
 * the sources' fetcher threads, the task threads (source, map and sink chained), the other Java
 * threads, and what no Java thread accounts for (the garbage collector, the JIT compiler, RocksDB's
 * background threads). On a machine whose cores are all busy, time per record is what grows with
 * the partitions, where throughput also moves with what else runs.
 */
final class CpuProbe {

    /** CPU seconds in all and by who spent them. */
    record Cpu(double process, double fetchers, double tasks, double otherJava, double native_) {

        Cpu perMillion(long records) {
            double f = 1e6 / records;
            return new Cpu(process * f, fetchers * f, tasks * f, otherJava * f, native_ * f);
        }

        /** Per element, the median of each (a split that need not add up exactly). */
        static Cpu median(List<Cpu> all) {
            return new Cpu(
                    median(all, Cpu::process),
                    median(all, Cpu::fetchers),
                    median(all, Cpu::tasks),
                    median(all, Cpu::otherJava),
                    median(all, Cpu::native_));
        }

        private static double median(List<Cpu> all, ToDoubleFunction<Cpu> of) {
            double[] values = all.stream().mapToDouble(of).sorted().toArray();
            return values.length == 0 ? Double.NaN : values[values.length / 2];
        }

        String describe() {
            return String.format(
                    Locale.ROOT,
                    "fetchers %.2f, tasks %.2f, other Java threads %.2f, GC/JIT/native %.2f",
                    fetchers,
                    tasks,
                    otherJava,
                    native_);
        }
    }

    private static final Cpu NONE =
            new Cpu(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final Map<Long, Long> started = new HashMap<>();
    private final long processStarted;

    CpuProbe() {
        for (long id : threads.getAllThreadIds()) {
            started.put(id, threads.getThreadCpuTime(id));
        }
        processStarted = processCpuNanos();
    }

    static Cpu none() {
        return NONE;
    }

    Cpu stop() {
        long fetchers = 0;
        long tasks = 0;
        long otherJava = 0;
        for (long id : threads.getAllThreadIds()) {
            long now = threads.getThreadCpuTime(id);
            ThreadInfo info = threads.getThreadInfo(id);
            if (now < 0 || info == null) {
                continue; // gone meanwhile
            }
            long spent = now - Math.max(0, started.getOrDefault(id, 0L));
            String name = info.getThreadName();
            if (name.startsWith("Source Data Fetcher")) {
                fetchers += spent;
            } else if (name.startsWith("Source: ")) {
                tasks += spent;
            } else {
                otherJava += spent;
            }
        }
        long process = processCpuNanos() - processStarted;
        return new Cpu(
                process / 1e9,
                fetchers / 1e9,
                tasks / 1e9,
                otherJava / 1e9,
                Math.max(0, process - fetchers - tasks - otherJava) / 1e9);
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
