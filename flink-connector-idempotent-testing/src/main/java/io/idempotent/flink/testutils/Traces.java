package io.idempotent.flink.testutils;

import java.io.PrintWriter;
import java.io.StringWriter;

/** A failure as a person reads it in a log: its whole stack trace, causes and suppressed ones. */
public final class Traces {

    private Traces() {}

    public static String text(Throwable failure) {
        StringWriter trace = new StringWriter();
        failure.printStackTrace(new PrintWriter(trace));
        return trace.toString();
    }
}
