package io.idempotent.flink.util;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;

/**
 * Passwords and client settings for the job jar and the operator tools, from a file or an
 * environment variable the user names rather than from an argument that {@code ps} and Flink's web
 * UI show.
 */
@Internal
public final class Secrets {

    private Secrets() {}

    /**
     * The password from the first line of {@code file}, from the environment variable {@code env},
     * or {@code value}, whichever one is given; {@code null} if none. {@code option} is how the
     * messages name them, e.g. {@code --jdbc-password}.
     */
    @Nullable
    public static String password(
            String option, @Nullable Path file, @Nullable String env, @Nullable String value)
            throws IOException {
        int given = (file != null ? 1 : 0) + (env != null ? 1 : 0) + (value != null ? 1 : 0);
        if (given > 1) {
            throw new IllegalArgumentException(
                    String.format(
                            "Give the password one way: %s-file, %s-env or %s.",
                            option, option, option));
        }
        if (file != null) {
            if (!Files.isReadable(file)) {
                throw new IllegalArgumentException(
                        option + "-file: '" + file + "' is not a readable file.");
            }
            String text = Files.readString(file, StandardCharsets.UTF_8);
            int end = text.indexOf('\n');
            return (end < 0 ? text : text.substring(0, end)).strip();
        }
        if (env != null) {
            String password = System.getenv(env);
            if (password == null) {
                throw new IllegalArgumentException(
                        option + "-env: the environment variable '" + env + "' is not set here.");
            }
            return password;
        }
        return value;
    }

    /** A Java properties file's settings (e.g. a Kafka client's); empty if {@code file} is null. */
    public static Properties properties(String option, @Nullable Path file) throws IOException {
        Properties properties = new Properties();
        if (file != null) {
            if (!Files.isReadable(file)) {
                throw new IllegalArgumentException(
                        option + ": '" + file + "' is not a readable file.");
            }
            try (var reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                properties.load(reader);
            }
        }
        return properties;
    }
}
