package io.idempotent.flink.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Flink session cluster of separate JVMs, started from Maven artifacts as Flink's own scripts
 * would start it from a distribution: a JobManager ({@code StandaloneSessionClusterEntrypoint}) and
 * TaskManagers ({@code TaskManagerRunner}), their memory flags from Flink's {@code BashJavaUtils},
 * jobs submitted with Flink's command-line client ({@code CliFrontend run}). Each process logs to
 * its own file under the cluster's directory.
 */
final class FlinkCluster implements AutoCloseable {

    /** The flags Flink's scripts pass to every JVM on Java 17 ({@code env.java.opts.all}). */
    static final List<String> JAVA_OPENS =
            List.of(
                    "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
                    "--add-exports=java.management/sun.management=ALL-UNNAMED",
                    "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
                    "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
                    "--add-opens=java.base/java.lang=ALL-UNNAMED",
                    "--add-opens=java.base/java.net=ALL-UNNAMED",
                    "--add-opens=java.base/java.io=ALL-UNNAMED",
                    "--add-opens=java.base/java.nio=ALL-UNNAMED",
                    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
                    "--add-opens=java.base/java.text=ALL-UNNAMED",
                    "--add-opens=java.base/java.time=ALL-UNNAMED",
                    "--add-opens=java.base/java.util=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    private static final Pattern JOB_ID = Pattern.compile("JobID ([0-9a-f]{32})");
    private static final Pattern SQL_JOB_ID = Pattern.compile("Job ID: ([0-9a-f]{32})");
    private static final Pattern STATE = Pattern.compile("\"state\"\\s*:\\s*\"([A-Z_]+)\"");

    private final Path dir;
    private final Path conf;
    private final String classpath;
    private final int restPort;
    private final HttpClient http = HttpClient.newHttpClient();
    private Process jobManager;
    private int jobManagerStarts;
    private final Process[] taskManagers;
    private final int[] taskManagerStarts;

    private FlinkCluster(Path dir, String classpath, int restPort, int taskManagers) {
        this.dir = dir;
        this.conf = dir.resolve("conf");
        this.classpath = classpath;
        this.restPort = restPort;
        this.taskManagers = new Process[taskManagers];
        this.taskManagerStarts = new int[taskManagers];
    }

    /**
     * Starts a JobManager and {@code taskManagers} TaskManagers and waits until every TaskManager
     * has registered. {@code settings} go into the cluster's {@code config.yaml} after the defaults
     * here. The ports are free when chosen, but another process may take one before the JobManager
     * binds it: then the cluster starts again on other ports, in a directory of its own.
     */
    static FlinkCluster start(
            Path dir, String classpath, int taskManagers, Map<String, String> settings)
            throws Exception {
        for (int attempt = 1; ; attempt++) {
            Path attemptDir = attempt == 1 ? dir : Path.of(dir + "-attempt-" + attempt);
            try {
                return startOnce(attemptDir, classpath, taskManagers, settings);
            } catch (IllegalStateException e) {
                Path log = attemptDir.resolve("log/jobmanager-0.log");
                boolean portTaken =
                        Files.exists(log) && Files.readString(log).contains("BindException");
                if (!portTaken || attempt == 3) {
                    throw e;
                }
                System.out.println("A port of the cluster was taken; starting it again: " + e);
            }
        }
    }

    private static FlinkCluster startOnce(
            Path dir, String classpath, int taskManagers, Map<String, String> settings)
            throws Exception {
        Files.createDirectories(dir.resolve("conf"));
        Files.createDirectories(dir.resolve("log"));
        int restPort = freePort();
        FlinkCluster cluster = new FlinkCluster(dir, classpath, restPort, taskManagers);
        cluster.writeConfig(settings);
        try {
            cluster.jobManager = cluster.startJobManager();
            for (int i = 0; i < taskManagers; i++) {
                cluster.startTaskManager(i);
            }
            cluster.awaitTaskManagers(taskManagers, Duration.ofSeconds(120));
        } catch (Exception | AssertionError e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    private void writeConfig(Map<String, String> settings) throws IOException {
        StringBuilder yaml = new StringBuilder();
        yaml.append("jobmanager.rpc.address: 127.0.0.1\n")
                .append("jobmanager.rpc.port: ")
                .append(freePort())
                .append('\n')
                .append("jobmanager.bind-host: 127.0.0.1\n")
                .append("taskmanager.host: 127.0.0.1\n")
                .append("taskmanager.bind-host: 127.0.0.1\n")
                .append("rest.address: 127.0.0.1\n")
                .append("rest.bind-address: 127.0.0.1\n")
                .append("rest.port: ")
                .append(restPort)
                .append('\n')
                .append("blob.server.port: ")
                .append(freePort())
                .append('\n')
                .append("jobmanager.memory.process.size: 768m\n")
                .append("taskmanager.memory.process.size: 1024m\n")
                .append("taskmanager.numberOfTaskSlots: 2\n")
                .append("env.java.opts.all: ")
                .append(String.join(" ", JAVA_OPENS))
                .append('\n');
        settings.forEach((key, value) -> yaml.append(key).append(": ").append(value).append('\n'));
        Files.writeString(conf.resolve("config.yaml"), yaml.toString());
        Files.writeString(
                conf.resolve("log4j.properties"),
                String.join(
                        "\n",
                        "rootLogger.level = INFO",
                        "rootLogger.appenderRef.file.ref = FileAppender",
                        "appender.file.name = FileAppender",
                        "appender.file.type = FILE",
                        "appender.file.fileName = ${sys:log.file}",
                        "appender.file.layout.type = PatternLayout",
                        "appender.file.layout.pattern = %d{HH:mm:ss,SSS} %-5p %-40c{1} - %m%n",
                        ""));
        Files.copy(conf.resolve("log4j.properties"), conf.resolve("log4j-cli.properties"));
    }

    private Process startJobManager() throws Exception {
        List<List<String>> params = resourceParams("GET_JM_RESOURCE_PARAMS");
        return launch(
                "jobmanager-" + jobManagerStarts++,
                params.get(0),
                "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
                params.get(1));
    }

    /** Starts (again) TaskManager {@code index}. */
    void startTaskManager(int index) throws Exception {
        List<List<String>> params = resourceParams("GET_TM_RESOURCE_PARAMS");
        taskManagers[index] =
                launch(
                        "taskmanager-" + index + "-" + taskManagerStarts[index]++,
                        params.get(0),
                        "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
                        params.get(1));
    }

    /** {@code kill -9} of TaskManager {@code index}; returns when the process is gone. */
    void killTaskManager(int index) throws InterruptedException {
        Process victim = taskManagers[index];
        victim.destroyForcibly();
        victim.waitFor();
    }

    /** {@code kill -STOP} ({@code freeze}) or {@code kill -CONT} of TaskManager {@code index}. */
    void signalTaskManager(int index, String signal) throws Exception {
        Process kill =
                new ProcessBuilder("kill", "-" + signal, Long.toString(taskManagers[index].pid()))
                        .inheritIO()
                        .start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + signal + " failed");
        }
    }

    /** {@code kill -9} of the JobManager. */
    void killJobManager() throws InterruptedException {
        jobManager.destroyForcibly();
        jobManager.waitFor();
    }

    /**
     * Starts the JobManager again (same addresses; no high availability, so without its jobs) and
     * waits until every TaskManager has registered with it.
     */
    void restartJobManager() throws Exception {
        jobManager = startJobManager();
        awaitTaskManagers(taskManagers.length, Duration.ofSeconds(120));
    }

    int taskManagerCount() {
        return taskManagers.length;
    }

    /**
     * Submits {@code jar} with Flink's command-line client ({@code flink run -d}) and returns the
     * job's id.
     */
    String submit(Path jar, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("run", "-d", jar.toString()));
        command.addAll(Arrays.asList(args));
        return runClient(
                "flink run",
                "-Xmx256m",
                classpath,
                "org.apache.flink.client.cli.CliFrontend",
                command,
                JOB_ID);
    }

    /**
     * Runs Flink's SQL client ({@code sql-client.sh -f script}: an embedded gateway) with the
     * cluster's class path and {@code clientJars} (Flink's {@code opt/} has them), and returns the
     * id of the job its {@code INSERT} submitted.
     */
    String submitSql(Path script, String clientJars) throws Exception {
        return runClient(
                "The SQL client",
                "-Xmx512m",
                classpath + java.io.File.pathSeparator + clientJars,
                "org.apache.flink.table.client.SqlClient",
                List.of("-f", script.toString()),
                SQL_JOB_ID);
    }

    /** Runs a client to its end and returns the job id its output names. */
    private String runClient(
            String what,
            String heap,
            String clientClasspath,
            String mainClass,
            List<String> args,
            Pattern jobId)
            throws Exception {
        Path out = dir.resolve("log/client-" + System.nanoTime() + ".out");
        Process client = launch("client", List.of(heap), clientClasspath, mainClass, args, out);
        if (!client.waitFor(180, java.util.concurrent.TimeUnit.SECONDS)) {
            client.destroyForcibly();
            throw new IllegalStateException(what + " did not return in 180 s; see " + out);
        }
        String output = Files.readString(out);
        Matcher id = jobId.matcher(output);
        if (client.exitValue() != 0 || !id.find()) {
            throw new IllegalStateException(
                    what + " failed (exit " + client.exitValue() + "):\n" + output);
        }
        return id.group(1);
    }

    /** The job's state as the REST API reports it ({@code RUNNING}, {@code FAILED}, ...). */
    String jobState(String jobId) throws Exception {
        String body = get("/jobs/" + jobId);
        Matcher state = STATE.matcher(body);
        return state.find() ? state.group(1) : "UNKNOWN";
    }

    /**
     * Whether every task of the job runs: the job is {@code RUNNING} and no vertex has a task in
     * another state.
     */
    boolean allTasksRunning(String jobId) throws Exception {
        String body = get("/jobs/" + jobId);
        Matcher state = STATE.matcher(body);
        if (!state.find() || !state.group(1).equals("RUNNING")) {
            return false;
        }
        Matcher counts = Pattern.compile("\"tasks\"\\s*:\\s*\\{([^}]*)}").matcher(body);
        while (counts.find()) {
            for (String entry : counts.group(1).split(",")) {
                String[] kv = entry.split(":");
                String key = kv[0].replace("\"", "").trim();
                if (!key.equals("RUNNING") && Integer.parseInt(kv[1].trim()) > 0) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The job's recent failures as the REST API reports them, cut to a few thousand characters. */
    String exceptions(String jobId) throws Exception {
        String body = get("/jobs/" + jobId + "/exceptions?maxExceptions=3");
        return body.length() > 4_000 ? body.substring(0, 4_000) + "…" : body;
    }

    void cancel(String jobId) throws Exception {
        HttpResponse<String> response =
                http.send(
                        HttpRequest.newBuilder(rest("/jobs/" + jobId + "?mode=cancel"))
                                .method("PATCH", HttpRequest.BodyPublishers.noBody())
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException("cancel: " + response.statusCode() + response.body());
        }
    }

    /** Every log file of the cluster's processes, concatenated. */
    String logs() throws IOException {
        StringBuilder all = new StringBuilder();
        try (var files = Files.list(dir.resolve("log"))) {
            for (Path file : files.sorted().toList()) {
                all.append(Files.readString(file, StandardCharsets.UTF_8));
            }
        }
        return all.toString();
    }

    Path logDir() {
        return dir.resolve("log");
    }

    private void awaitTaskManagers(int expected, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                last = get("/overview");
                Matcher registered =
                        Pattern.compile("\"taskmanagers\"\\s*:\\s*(\\d+)").matcher(last);
                if (registered.find() && Integer.parseInt(registered.group(1)) >= expected) {
                    return;
                }
            } catch (IOException notYet) {
                last = notYet.toString();
            }
            if (!jobManager.isAlive()) {
                throw new IllegalStateException("The JobManager exited; see " + logDir());
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException(
                "The cluster did not get " + expected + " TaskManagers: " + last);
    }

    private String get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response =
                http.send(
                        HttpRequest.newBuilder(rest(path)).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
        return response.body();
    }

    private URI rest(String path) {
        return URI.create("http://127.0.0.1:" + restPort + path);
    }

    /**
     * Flink's scripts ask {@code BashJavaUtils} for a process's memory flags: two result lines, the
     * JVM flags, then dynamic properties.
     */
    private List<List<String>> resourceParams(String command) throws Exception {
        Path out = dir.resolve("log/bash-java-utils.out");
        Process utils =
                new ProcessBuilder(
                                javaBin(),
                                "-cp",
                                classpath,
                                "org.apache.flink.runtime.util.bash.BashJavaUtils",
                                command,
                                "--configDir",
                                conf.toString())
                        .redirectErrorStream(true)
                        .redirectOutput(out.toFile())
                        .start();
        if (utils.waitFor() != 0) {
            throw new IllegalStateException("BashJavaUtils failed: " + Files.readString(out));
        }
        List<List<String>> results = new ArrayList<>();
        for (String line : Files.readAllLines(out)) {
            if (line.startsWith("BASH_JAVA_UTILS_EXEC_RESULT:")) {
                String value = line.substring("BASH_JAVA_UTILS_EXEC_RESULT:".length()).trim();
                results.add(value.isEmpty() ? List.of() : List.of(value.split("\\s+")));
            }
        }
        if (results.size() < 2) {
            throw new IllegalStateException("BashJavaUtils said: " + Files.readString(out));
        }
        return results.subList(results.size() - 2, results.size());
    }

    private Process launch(String name, List<String> jvm, String mainClass, List<String> args)
            throws IOException {
        return launch(name, jvm, classpath, mainClass, args, dir.resolve("log/" + name + ".out"));
    }

    private Process launch(
            String name,
            List<String> jvm,
            String classpath,
            String mainClass,
            List<String> args,
            Path out)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(javaBin());
        command.addAll(jvm);
        command.addAll(JAVA_OPENS);
        command.add("-Dlog.file=" + dir.resolve("log/" + name + ".log"));
        command.add(
                "-Dlog4j.configurationFile="
                        + conf.resolve(
                                        name.equals("client")
                                                ? "log4j-cli.properties"
                                                : "log4j.properties")
                                .toUri());
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        if (!name.equals("client")) {
            command.add("--configDir");
            command.add(conf.toString());
        }
        command.addAll(args);
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
        builder.environment().put("FLINK_CONF_DIR", conf.toString());
        return builder.start();
    }

    static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        for (Process taskManager : taskManagers) {
            if (taskManager != null) {
                taskManager.destroyForcibly();
            }
        }
        if (jobManager != null) {
            jobManager.destroyForcibly();
        }
    }
}
