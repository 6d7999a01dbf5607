package io.idempotent.flink.tools;

import static org.assertj.core.api.Assertions.assertThat;

import io.idempotent.flink.checkpoint.rocksdb.RocksDbCheckpointStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher a user runs, {@code bin/idempotent}, as the README shows it: on the class path the
 * build wrote, a stream created, filled and looked at, and the exit codes it documents.
 */
class LauncherITCase {

    private static final Path LAUNCHER = Path.of("..", "bin", "idempotent");

    @TempDir Path dir;

    private record Run(int code, String output) {}

    private Run run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("sh", LAUNCHER.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("XDG_STATE_HOME", dir.resolve("state").toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), output);
    }

    @Test
    void theLauncherRunsTheToolsWithTheDocumentedExitCodes() throws Exception {
        Run help = run("--help");
        assertThat(help.code()).as(help.output()).isZero();
        assertThat(help.output()).contains("status", "reset", "create", "append");

        String stream = dir.resolve("stream").toString();
        Run create = run("create", "--stream", stream, "--name", "orders", "--partitions", "2");
        assertThat(create.code()).as(create.output()).isZero();
        Run append = run("append", "--stream", stream, "--partition", "0", "--generate", "5");
        assertThat(append.code()).as(append.output()).isZero();
        Run noStore = run("status", "--stream", stream, "--store", dir.resolve("store").toString());
        assertThat(noStore.code()).as(noStore.output()).isEqualTo(1);
        assertThat(noStore.output()).contains("There is no RocksDB checkpoint store");
        RocksDbCheckpointStore.open(dir.resolve("store")).close();
        Run status =
                run(
                        "status",
                        "--stream",
                        stream,
                        "--store",
                        dir.resolve("store").toString(),
                        "--sink",
                        "delivery");
        assertThat(status.code()).as(status.output()).isZero();
        assertThat(status.output()).contains("orders");

        Run unknown = run("no-such-command");
        assertThat(unknown.code()).as(unknown.output()).isEqualTo(2);
        Run failing =
                run(
                        "append",
                        "--stream",
                        dir.resolve("missing").toString(),
                        "--partition",
                        "0",
                        "--generate",
                        "1");
        assertThat(failing.code()).as(failing.output()).isEqualTo(1);
    }
}
