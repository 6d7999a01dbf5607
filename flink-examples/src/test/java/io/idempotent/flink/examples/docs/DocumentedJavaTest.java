package io.idempotent.flink.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.idempotent.flink.testutils.DocumentedCommands;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Java the README and the docs show compiles against today's library: each {@code ```java}
 * block, as written, inside a method with the imports a user's job has and the helpers the block
 * leaves to the reader ({@code toJson}, {@code transform}).
 */
class DocumentedJavaTest {

    static List<String[]> blocks() {
        return DocumentedCommands.codeBlocks("java");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("blocks")
    void compiles(String where, String code) {
        String source =
                String.join(
                        "\n",
                        "import static java.nio.charset.StandardCharsets.UTF_8;",
                        "import io.idempotent.flink.origin.*;",
                        "import io.idempotent.flink.source.*;",
                        "import io.idempotent.flink.sink.*;",
                        "import io.idempotent.flink.sink.aligned.*;",
                        "import io.idempotent.flink.checkpoint.*;",
                        "import io.idempotent.flink.checkpoint.jdbc.*;",
                        "import io.idempotent.flink.checkpoint.rocksdb.*;",
                        "import io.idempotent.flink.storage.*;",
                        "import io.idempotent.flink.stream.*;",
                        "import io.idempotent.flink.stream.kafka.*;",
                        "import io.idempotent.flink.stream.local.*;",
                        "import io.idempotent.flink.destination.*;",
                        "import io.idempotent.flink.destination.file.*;",
                        "import io.idempotent.flink.destination.http.*;",
                        "import io.idempotent.flink.destination.jdbc.*;",
                        "import io.idempotent.flink.protocol.*;",
                        "import java.nio.file.Path;",
                        "import org.apache.flink.api.common.eventtime.WatermarkStrategy;",
                        "import org.apache.flink.api.common.typeinfo.TypeHint;",
                        "import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;",
                        "class Snippet {",
                        "  static String toJson(byte[] payload) { return new String(payload, UTF_8); }",
                        "  static String transform(PartitionRecord record) { return record.toString(); }",
                        "  void run(StreamExecutionEnvironment env) throws Exception {",
                        code,
                        "  }",
                        "}");
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        StringWriter errors = new StringWriter();
        JavaFileObject file =
                new SimpleJavaFileObject(
                        URI.create("string:///Snippet.java"), JavaFileObject.Kind.SOURCE) {
                    @Override
                    public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                        return source;
                    }
                };
        Path out = Path.of("target", "documented-java");
        boolean compiled;
        try {
            Files.createDirectories(out);
            compiled =
                    compiler.getTask(
                                    errors,
                                    null,
                                    null,
                                    List.of(
                                            "-classpath",
                                            System.getProperty("java.class.path"),
                                            "-d",
                                            out.toString(),
                                            "-proc:none"),
                                    null,
                                    List.of(file))
                            .call();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertThat(compiled).as("%s compiles:%n%s", where, errors).isTrue();
    }
}
