package io.idempotent.flink.testutils;

import java.io.StringWriter;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * Everything this JVM logs at INFO and above while it is open, with stack traces: for tests that a
 * secret never reaches a log line.
 */
public final class LogCapture implements AutoCloseable {

    private final StringWriter text = new StringWriter();
    private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
    private final Appender appender;
    private final Level before;

    public LogCapture() {
        Configuration config = context.getConfiguration();
        appender =
                WriterAppender.newBuilder()
                        .setName("capture-" + System.identityHashCode(this))
                        .setTarget(text)
                        .setLayout(
                                PatternLayout.newBuilder().withPattern("%c %m%n%throwable").build())
                        .build();
        appender.start();
        LoggerConfig root = config.getRootLogger();
        before = root.getLevel();
        root.addAppender(appender, Level.INFO, null);
        root.setLevel(Level.INFO);
        context.updateLoggers();
    }

    /** What was logged so far. */
    public String text() {
        synchronized (text) {
            return text.toString();
        }
    }

    @Override
    public void close() {
        LoggerConfig root = context.getConfiguration().getRootLogger();
        root.removeAppender(appender.getName());
        root.setLevel(before);
        context.updateLoggers();
        appender.stop();
    }
}
