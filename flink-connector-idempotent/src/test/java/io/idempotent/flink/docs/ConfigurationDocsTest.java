package io.idempotent.flink.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.idempotent.flink.sink.IdempotentSinkOptions;
import io.idempotent.flink.source.IdempotentSourceOptions;
import io.idempotent.flink.table.IdempotentTableOptions;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.description.HtmlFormatter;
import org.apache.flink.util.TimeUtils;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md is generated from the {@link ConfigOption}s; this test fails when it is
 * stale. Regenerate with {@code mvn -pl flink-connector-idempotent verify
 * -Dtest=ConfigurationDocsTest -Ddocs.regenerate=true}.
 */
class ConfigurationDocsTest {

    private static final Path DOC = Path.of("..", "docs", "configuration.md");

    /** Every class of options, in the order the doc lists them. */
    private static final List<Class<?>> OPTION_CLASSES =
            List.of(
                    IdempotentSourceOptions.class,
                    IdempotentSinkOptions.class,
                    IdempotentTableOptions.class);

    @Test
    void theConfigurationDocIsGeneratedFromTheOptions() throws IOException {
        String generated = generate();
        if (Boolean.getBoolean("docs.regenerate")) {
            Files.writeString(DOC, generated, StandardCharsets.UTF_8);
        }
        assertThat(Files.readString(DOC, StandardCharsets.UTF_8))
                .as(
                        "docs/configuration.md is stale; regenerate it with mvn -pl"
                                + " flink-connector-idempotent verify -Dtest=ConfigurationDocsTest"
                                + " -Ddocs.regenerate=true")
                .isEqualTo(generated);
    }

    static String generate() {
        StringBuilder doc = new StringBuilder();
        doc.append("# Configuration\n\n")
                .append("<!-- Generated from the ConfigOptions by ConfigurationDocsTest; do not")
                .append(" edit. -->\n\n")
                .append("Every option is a typed Flink `ConfigOption`. SQL tables set them in")
                .append(" `WITH (...)`\n(`'connector' = 'idempotent'`, see the user guide);")
                .append(" `IdempotentSourceBuilder.options(ReadableConfig)`\napplies the")
                .append(" source's options to a DataStream source.\n");
        for (Class<?> options : OPTION_CLASSES) {
            doc.append("\n## ").append(options.getSimpleName()).append("\n\n");
            doc.append("| Key | Default | Type | Description |\n");
            doc.append("| --- | --- | --- | --- |\n");
            for (Field field : options.getFields()) {
                if (Modifier.isStatic(field.getModifiers())
                        && field.getType() == ConfigOption.class) {
                    doc.append(row(field)).append('\n');
                }
            }
        }
        return doc.toString();
    }

    private static String row(Field field) {
        ConfigOption<?> option;
        try {
            option = (ConfigOption<?>) field.get(null);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
        java.lang.reflect.Type argument =
                ((ParameterizedType) field.getGenericType()).getActualTypeArguments()[0];
        Class<?> type =
                argument instanceof ParameterizedType parameterized
                        ? (Class<?>) parameterized.getRawType()
                        : (Class<?>) argument;
        return String.format(
                "| `%s` | %s | %s | %s |",
                option.key(),
                option.hasDefaultValue() ? "`" + format(option.defaultValue()) + "`" : "(none)",
                typeName(type),
                new HtmlFormatter().format(option.description()).replace("|", "\\|"));
    }

    private static String typeName(Class<?> type) {
        if (type.isEnum()) {
            return "Enum: "
                    + Arrays.stream(type.getEnumConstants())
                            .map(c -> "`" + format(c) + "`")
                            .collect(Collectors.joining(", "));
        }
        return type.getSimpleName();
    }

    private static String format(Object value) {
        if (value instanceof Duration duration) {
            return TimeUtils.formatWithHighestUnit(duration);
        }
        if (value instanceof Enum<?> constant) {
            return constant.name().toLowerCase(Locale.ROOT);
        }
        return String.valueOf(value);
    }
}
