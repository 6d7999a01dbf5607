package io.idempotent.flink.examples.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.util.ParameterTool;
import org.junit.jupiter.api.Test;

/**
 * The job jar's arguments: what docs/deployment.md shows is what the job reads, and no typo passes.
 */
class ClusterJobArgumentsTest {

    @Test
    void theDocumentedFlinkRunArgumentsAreTheJobsOptions() throws Exception {
        List<String> args = documentedFlinkRunArguments();
        assertThat(args).contains("--bootstrap-servers", "--topic", "--jdbc-url");
        ClusterJob.requireKnownOptions(ParameterTool.fromArgs(args.toArray(String[]::new)));
    }

    @Test
    void aMistypedOptionIsRefusedNamingIt() {
        assertThatThrownBy(
                        () ->
                                ClusterJob.requireKnownOptions(
                                        ParameterTool.fromArgs(
                                                new String[] {
                                                    "--bootstrap-servers", "b:9092", "--topci", "t"
                                                })))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--topci")
                .hasMessageContaining("--topic");
    }

    /** The arguments of the {@code flink run … -job.jar} command in docs/deployment.md. */
    private static List<String> documentedFlinkRunArguments() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("..", "docs", "deployment.md"));
        StringBuilder command = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("flink run flink-examples-")) {
                for (int j = i; j < lines.size(); j++) {
                    String line = lines.get(j).trim();
                    command.append(' ')
                            .append(
                                    line.endsWith("\\")
                                            ? line.substring(0, line.length() - 1)
                                            : line);
                    if (!line.endsWith("\\")) {
                        break;
                    }
                }
                break;
            }
        }
        List<String> args = new ArrayList<>();
        // Split on spaces, keeping quoted values ("10 s") whole.
        var matcher = java.util.regex.Pattern.compile("\"([^\"]*)\"|(\\S+)").matcher(command);
        while (matcher.find()) {
            args.add(matcher.group(1) != null ? matcher.group(1) : matcher.group(2));
        }
        assertThat(args).as("docs/deployment.md shows a flink run of the job jar").isNotEmpty();
        return args.subList(3, args.size()); // after "flink run <jar>"
    }
}
