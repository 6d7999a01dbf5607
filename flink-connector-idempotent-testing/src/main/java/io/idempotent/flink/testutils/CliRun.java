package io.idempotent.flink.testutils;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.ToIntFunction;

/** Runs a command-line entry point in this JVM and keeps its exit code and what it printed. */
public record CliRun(int code, String output) {

    /** Runs {@code main} (e.g. {@code IdempotentTools::run}) with {@code args}. */
    public static CliRun of(ToIntFunction<String[]> main, String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            int code = main.applyAsInt(args);
            return new CliRun(code, captured.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(original);
        }
    }
}
