package io.idempotent.flink.testutils;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * The objects on this JVM's heap that a full collection keeps, per class, as {@code jcmd
 * GC.class_histogram} prints them: what a heap dump would hold, counted in process.
 */
public final class ClassHistogram {

    /** One class's line: its instances and their bytes. */
    public record Entry(String className, long instances, long bytes) {}

    private ClassHistogram() {}

    /**
     * The classes with live instances, most bytes first. Finalization runs before the histogram's
     * own full collection: a finished job leaves objects that only finalizable objects still reach,
     * and they would count until the collection after their finalizers ran.
     */
    public static List<Entry> live() {
        System.gc();
        System.runFinalization();
        String histogram;
        try {
            histogram =
                    (String)
                            ManagementFactory.getPlatformMBeanServer()
                                    .invoke(
                                            new ObjectName(
                                                    "com.sun.management:type=DiagnosticCommand"),
                                            "gcClassHistogram",
                                            new Object[] {new String[0]},
                                            new String[] {String[].class.getName()});
        } catch (JMException e) {
            throw new IllegalStateException("The JVM's class histogram is not available", e);
        }
        List<Entry> entries = new ArrayList<>();
        for (String line : histogram.split("\n")) {
            // " num:  #instances  #bytes  class name (module)"
            String[] fields = line.trim().split("\\s+");
            if (fields.length >= 4 && fields[0].endsWith(":")) {
                entries.add(
                        new Entry(fields[3], Long.parseLong(fields[1]), Long.parseLong(fields[2])));
            }
        }
        return entries;
    }
}
