package io.idempotent.flink.bench;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import javax.annotation.Nullable;

/**
 * The CPU time this process spent between its creation and {@link #stop}, split by who spent it:
 * the sources' fetcher threads, the task threads (source, map and sink chained), the other Java
 * threads (of which Flink's checkpointing: the TaskManager's asynchronous snapshots and the
 * JobManager's completion of checkpoints, which on a cluster runs in another process), and what no
 * Java thread accounts for (the garbage collector, the JIT compiler, RocksDB's background threads,
 * each from the thread names the kernel knows). On a machine whose cores are all busy, time per
 * record is what grows with the partitions, where throughput also moves with what else runs.
 */
final class CpuProbe {

    /** CPU seconds in all and by who spent them. */
    record Cpu(
            double process,
            double fetchers,
            double tasks,
            double otherJava,
            double checkpoints,
            double native_,
            double gc,
            double jit,
            double rocksDb) {

        Cpu perMillion(long records) {
            double f = 1e6 / records;
            return new Cpu(
                    process * f,
                    fetchers * f,
                    tasks * f,
                    otherJava * f,
                    checkpoints * f,
                    native_ * f,
                    gc * f,
                    jit * f,
                    rocksDb * f);
        }

        /** Per element, the median of each (a split that need not add up exactly). */
        static Cpu median(List<Cpu> all) {
            return new Cpu(
                    median(all, Cpu::process),
                    median(all, Cpu::fetchers),
                    median(all, Cpu::tasks),
                    median(all, Cpu::otherJava),
                    median(all, Cpu::checkpoints),
                    median(all, Cpu::native_),
                    median(all, Cpu::gc),
                    median(all, Cpu::jit),
                    median(all, Cpu::rocksDb));
        }

        private static double median(List<Cpu> all, ToDoubleFunction<Cpu> of) {
            double[] values = all.stream().mapToDouble(of).sorted().toArray();
            return values.length == 0 ? Double.NaN : values[values.length / 2];
        }

        String describe() {
            return String.format(
                    Locale.ROOT,
                    "fetchers %.2f, tasks %.2f, other Java threads %.2f (Flink's checkpoints"
                            + " %.2f), GC/JIT/native %.2f"
                            + " (GC %.2f, JIT %.2f, RocksDB's threads %.2f)",
                    fetchers,
                    tasks,
                    otherJava,
                    checkpoints,
                    native_,
                    gc,
                    jit,
                    rocksDb);
        }
    }

    private static final Cpu NONE =
            new Cpu(
                    Double.NaN,
                    Double.NaN,
                    Double.NaN,
                    Double.NaN,
                    Double.NaN,
                    Double.NaN,
                    Double.NaN,
                    Double.NaN,
                    Double.NaN);

    /** The kernel's clock ticks per second in /proc's CPU times (USER_HZ, 100 on Linux). */
    private static final double TICKS_PER_SECOND = 100;

    /** The JVM's and RocksDB's own threads, by the names the kernel knows them by. */
    private enum NativeKind {
        GC("GC Thread", "G1 "),
        JIT("C1 CompilerThre", "C2 CompilerThre"),
        ROCKSDB("rocksdb:");

        private final String[] prefixes;

        NativeKind(String... prefixes) {
            this.prefixes = prefixes;
        }

        @Nullable
        static NativeKind of(String threadName) {
            for (NativeKind kind : values()) {
                for (String prefix : kind.prefixes) {
                    if (threadName.startsWith(prefix)) {
                        return kind;
                    }
                }
            }
            return null;
        }
    }

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final Map<Long, Long> started = new HashMap<>();
    private final long processStarted;
    private final Map<String, Long> nativeStarted;

    CpuProbe() {
        for (long id : threads.getAllThreadIds()) {
            started.put(id, threads.getThreadCpuTime(id));
        }
        processStarted = processCpuNanos();
        nativeStarted = nativeTicks();
    }

    static Cpu none() {
        return NONE;
    }

    Cpu stop() {
        long fetchers = 0;
        long tasks = 0;
        long otherJava = 0;
        long checkpoints = 0;
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
                if (name.startsWith("AsyncOperations") || name.startsWith("jobmanager-io")) {
                    checkpoints += spent;
                }
            }
        }
        long process = processCpuNanos() - processStarted;
        Map<NativeKind, Double> byKind = new EnumMap<>(NativeKind.class);
        nativeTicks()
                .forEach(
                        (thread, ticks) -> {
                            NativeKind kind =
                                    NativeKind.of(thread.substring(thread.indexOf(' ') + 1));
                            long spent = ticks - nativeStarted.getOrDefault(thread, 0L);
                            byKind.merge(kind, spent / TICKS_PER_SECOND, Double::sum);
                        });
        return new Cpu(
                process / 1e9,
                fetchers / 1e9,
                tasks / 1e9,
                otherJava / 1e9,
                checkpoints / 1e9,
                Math.max(0, process - fetchers - tasks - otherJava) / 1e9,
                byKind.getOrDefault(NativeKind.GC, 0.0),
                byKind.getOrDefault(NativeKind.JIT, 0.0),
                byKind.getOrDefault(NativeKind.ROCKSDB, 0.0));
    }

    /**
     * The CPU ticks of this process's threads that are the JVM's or RocksDB's own, by "id name";
     * empty where there is no /proc (the split then shows zeros).
     */
    private static Map<String, Long> nativeTicks() {
        Map<String, Long> ticks = new HashMap<>();
        File[] tasks = new File("/proc/self/task").listFiles();
        if (tasks == null) {
            return ticks;
        }
        for (File task : tasks) {
            try {
                String stat = Files.readString(task.toPath().resolve("stat"));
                // pid (comm) state ... utime stime: the name may hold spaces and parentheses.
                int open = stat.indexOf('(');
                int close = stat.lastIndexOf(')');
                String name = stat.substring(open + 1, close);
                if (NativeKind.of(name) == null) {
                    continue;
                }
                String[] fields = stat.substring(close + 2).split(" ");
                // After the name: state is field 3; utime and stime are fields 14 and 15.
                long spent = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                ticks.put(task.getName() + " " + name, spent);
            } catch (IOException | RuntimeException e) {
                // The thread ended meanwhile.
            }
        }
        return ticks;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
