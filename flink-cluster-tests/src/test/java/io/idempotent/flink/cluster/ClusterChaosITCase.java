package io.idempotent.flink.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.idempotent.flink.testutils.ExactlyOnceVerifier;
import io.idempotent.flink.testutils.KafkaBrokerProcess;
import io.idempotent.flink.testutils.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The job jar on a real cluster (issue 12): {@code flink run} of flink-examples' job jar (Kafka →
 * map → PostgreSQL table, PostgreSQL checkpoint store) on a session cluster of a JobManager and two
 * TaskManagers, each its own JVM, with Flink's RocksDB state backend; the Kafka broker and
 * PostgreSQL are processes of their own. The verifier reads the destination table with SQL and
 * counts lost, duplicated and reordered records per partition.
 *
 * <p>A scenario takes one to three minutes here; on a slower machine catching up takes longer,
 * which only a stall (nothing delivered for a minute) fails, within the class's limit.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class ClusterChaosITCase {

    private static final int PARTITIONS = 4;

    private static Path work;
    private static KafkaBrokerProcess kafka;
    private static String jdbcUrl;

    @BeforeAll
    static void startServices() throws Exception {
        work = Path.of(System.getProperty("cluster.workDir")).resolve("run-" + System.nanoTime());
        jdbcUrl = PostgresServer.jdbcUrl();
        List<String> jvm = new ArrayList<>(List.of("-Xmx512m"));
        jvm.addAll(FlinkCluster.JAVA_OPENS);
        kafka = KafkaBrokerProcess.start(work.resolve("kafka"), testClasspath(), jvm);
    }

    @AfterAll
    static void stopServices() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    /**
     * Design.md row F24: TaskManagers killed with {@code kill -9} at random moments, five times,
     * each restarted, while records keep arriving. Also: a fresh job whose job jar bundles the
     * PostgreSQL driver connects at once (no "No suitable driver"), and cancelling the job leaves
     * no client to fail after the job's class loader is gone.
     */
    @Test
    void taskManagersKilledWithSigkillLoseAndDuplicateNothing() throws Exception {
        // The long profile, on demand: -Dcluster.kills=30 (docs/guarantees.md).
        int kills = Integer.getInteger("cluster.kills", 5);
        scenario("kill -9 of TaskManagers", run -> killTaskManagers(run, kills));
    }

    /**
     * Design.md row F27: a TaskManager frozen with {@code SIGSTOP} past the heartbeat timeout (5
     * s), its tasks restored on the other TaskManager, then resumed with {@code SIGCONT}: the
     * zombie goes on from where it froze, with batches in hand, until it learns it lost its tasks.
     * The new owners took its partitions over with a higher epoch, so a store write of the zombie
     * is fenced, and a batch it sends again is one the destination's ledger holds.
     */
    @Test
    void aTaskManagerFrozenPastTheHeartbeatTimeoutWritesNothingThatCounts() throws Exception {
        scenario(
                "SIGSTOP of a TaskManager",
                run -> {
                    Thread.sleep(1_000 + run.random.nextInt(3_000));
                    int victim = run.random.nextInt(run.cluster.taskManagerCount());
                    long frozen = System.nanoTime();
                    run.cluster.signalTaskManager(victim, "STOP");
                    Thread.sleep(8_000);
                    long before = rows(run.table);
                    run.awaitRecovered(
                            "SIGSTOP of TaskManager " + victim + ", its tasks elsewhere",
                            frozen,
                            before);
                    run.cluster.signalTaskManager(victim, "CONT");
                    Thread.sleep(5_000);
                    awaitAllRunning(run.cluster, run.job, Duration.ofSeconds(120));
                });
    }

    /**
     * Design.md row F28: the SQL connector jar ({@code flink-sql-connector-idempotent}) in the
     * cluster's {@code lib/}, the job submitted by Flink's SQL client from a script ({@code INSERT
     * INTO} a PostgreSQL table {@code FROM} a Kafka topic, origin identities through a PostgreSQL
     * checkpoint store), and a TaskManager killed with {@code kill -9} twice while it runs. Neither
     * the library nor its Kafka client nor its PostgreSQL driver is anywhere else on the cluster's
     * class path.
     */
    @Test
    void theSqlConnectorJarInLibDeliversExactlyOnceFromTheSqlClient() throws Exception {
        scenario("SQL client, the connector jar in lib/", true, run -> killTaskManagers(run, 2));
    }

    /**
     * Design.md row F29: PostgreSQL, which holds both the checkpoint store and the destination,
     * stopped under the running job with a fast shutdown (clients disconnected, open transactions
     * rolled back), started again a few seconds later; then killed with {@code kill -9}, every
     * process of it (a crash: what was committed comes back from the write-ahead log), and started
     * again. A store write or a send whose answer was lost in the crash is the case that counts.
     */
    @Test
    void postgresRestartedUnderTheJobLosesAndDuplicatesNothing() throws Exception {
        scenario(
                "PostgreSQL restarted",
                run -> {
                    PostgresProcess postgres =
                            PostgresProcess.listeningOn(
                                    postgresPort(), work.resolve("postgres-" + run.table + ".log"));
                    for (String how : List.of("fast shutdown", "kill -9")) {
                        Thread.sleep(1_000 + run.random.nextInt(3_000));
                        long before = rows(run.table);
                        long down = System.nanoTime();
                        if (how.equals("fast shutdown")) {
                            postgres.stopFast();
                        } else {
                            postgres.kill();
                        }
                        Thread.sleep(2_000 + run.random.nextInt(3_000));
                        postgres.start(jdbcUrl);
                        run.awaitRecovered("PostgreSQL " + how + ", down 2-5 s", down, before);
                    }
                });
    }

    /**
     * Design.md row F25: the JobManager killed with {@code kill -9}, without high availability, and
     * started again: the job is gone with it, and a fresh job (no Flink state) resumes every
     * partition from the checkpoint store while the old job's tasks may still run.
     */
    @Test
    void aFreshJobAfterTheJobManagerWasKilledResumesFromTheStore() throws Exception {
        scenario(
                "kill -9 of the JobManager",
                run -> {
                    Thread.sleep(1_000 + run.random.nextInt(3_000));
                    long before = rows(run.table);
                    long killed = System.nanoTime();
                    run.cluster.killJobManager();
                    run.cluster.restartJobManager();
                    run.job = run.submit();
                    run.awaitRecovered("kill -9 of the JobManager, a fresh job", killed, before);
                });
    }

    /**
     * Kills a TaskManager chosen at random with {@code kill -9}, {@code kills} times, 1-4 s apart,
     * restarting it each time and waiting until every task runs and new rows arrive.
     */
    private static void killTaskManagers(Run run, int kills) throws Exception {
        for (int kill = 1; kill <= kills; kill++) {
            Thread.sleep(1_000 + run.random.nextInt(3_000));
            int victim = run.random.nextInt(run.cluster.taskManagerCount());
            long before = rows(run.table);
            long killed = System.nanoTime();
            run.cluster.killTaskManager(victim);
            run.cluster.startTaskManager(victim);
            run.awaitRecovered(
                    "kill -9 of TaskManager " + victim + " (" + kill + " of " + kills + ")",
                    killed,
                    before);
        }
    }

    /** What a scenario does to the cluster while the job runs and records keep arriving. */
    private interface Chaos {
        void inflict(Run run) throws Exception;
    }

    /** One scenario's cluster, job and figures. */
    private static final class Run {
        final Random random;
        final String topic;
        final String table;
        FlinkCluster cluster;
        String job;
        final List<String> recoveries = new ArrayList<>();

        /** Whether the job is SQL, submitted by the SQL client with the connector jar in lib/. */
        final boolean sql;

        Run(long seed, boolean sql) {
            this.sql = sql;
            random = new Random(seed);
            topic = "orders-" + Long.toHexString(seed);
            table = "delivered_" + Long.toHexString(seed & 0xffffffL);
        }

        String submit() throws Exception {
            if (sql) {
                return cluster.submitSql(sqlScript(), sqlClientClasspath());
            }
            return cluster.submit(
                    Path.of(System.getProperty("cluster.jobJar")),
                    "--bootstrap-servers",
                    kafka.bootstrapServers(),
                    "--topic",
                    topic,
                    "--jdbc-url",
                    jdbcUrl,
                    "--table",
                    table,
                    "--checkpoint-interval",
                    "2 s");
        }

        /** The SQL client's script: the job {@code ClusterJob} runs, in SQL. */
        Path sqlScript() throws Exception {
            createTable(table);
            String store =
                    "'checkpoint-store' = 'postgres', 'checkpoint-store.postgres.url' = '"
                            + jdbcUrl
                            + "'";
            String script =
                    String.join(
                            "\n",
                            "SET 'execution.target' = 'remote';",
                            "SET 'execution.checkpointing.interval' = '2 s';",
                            "SET 'table.dml-sync' = 'false';",
                            "CREATE TABLE orders (payload STRING,"
                                    + " part STRING METADATA FROM 'partition' VIRTUAL,"
                                    + " seq BIGINT METADATA FROM 'sequence' VIRTUAL,"
                                    + " origin BYTES METADATA VIRTUAL) WITH ("
                                    + " 'connector' = 'idempotent', 'stream' = 'kafka',"
                                    + " 'stream.kafka.bootstrap-servers' = '"
                                    + kafka.bootstrapServers()
                                    + "', 'stream.kafka.topic' = '"
                                    + topic
                                    + "', 'format' = 'raw', "
                                    + store
                                    + ");",
                            "CREATE TABLE delivered (stream_partition STRING, seq BIGINT,"
                                    + " payload STRING, origin BYTES METADATA) WITH ("
                                    + " 'connector' = 'idempotent', 'destination' = 'jdbc',"
                                    + " 'destination.jdbc.url' = '"
                                    + jdbcUrl
                                    + "', 'destination.jdbc.table' = '"
                                    + table
                                    + "', 'destination.jdbc.ledger-table' = '"
                                    + table
                                    + "_ledger', "
                                    + store
                                    + ");",
                            "INSERT INTO delivered SELECT part, seq, payload, origin FROM orders;",
                            "");
            Path file = work.resolve(table + ".sql");
            Files.writeString(file, script);
            return file;
        }

        /**
         * Waits until every task runs again and the table holds more than {@code rowsBefore} rows,
         * and records the time since {@code since} as the recovery from {@code what}.
         */
        void awaitRecovered(String what, long since, long rowsBefore) throws Exception {
            awaitAllRunning(cluster, job, Duration.ofSeconds(120));
            awaitRows(table, rowsBefore + 1, Duration.ofSeconds(120));
            double seconds = (System.nanoTime() - since) / 1e9;
            recoveries.add(String.format("%.1f s", seconds));
            System.out.printf(
                    "%s: all tasks running and delivering again after %.1f s%n", what, seconds);
        }
    }

    private static void scenario(String title, Chaos chaos) throws Exception {
        scenario(title, false, chaos);
    }

    private static void scenario(String title, boolean sql, Chaos chaos) throws Exception {
        long seed = Long.getLong("cluster.seed", System.nanoTime());
        System.out.println(title + ": seed " + seed + " (-Dcluster.seed=" + seed + ")");
        Run run = new Run(seed, sql);
        int first = 5_000;
        int chunk = 250;
        createTopic(run.topic);
        try (KafkaProducer<byte[], byte[]> kafkaProducer = producer()) {
            produce(kafkaProducer, run.topic, 0, first);
        }

        try (FlinkCluster cluster =
                FlinkCluster.start(
                        work.resolve("flink-" + seed),
                        sql
                                ? flinkClasspath()
                                        + java.io.File.pathSeparator
                                        + System.getProperty("cluster.sqlJar")
                                : flinkClasspath(),
                        2,
                        Map.of(
                                "parallelism.default", "2",
                                "state.backend.type", "rocksdb",
                                "execution.checkpointing.dir",
                                        work.resolve("checkpoints-" + seed).toUri().toString(),
                                "restart-strategy.type", "fixed-delay",
                                "restart-strategy.fixed-delay.attempts", "1000",
                                "restart-strategy.fixed-delay.delay", "1 s",
                                "heartbeat.interval", "1000",
                                "heartbeat.timeout", "5000",
                                "taskmanager.load-balance.mode", "slots"))) {
            run.cluster = cluster;
            run.job = run.submit();
            awaitAllRunning(cluster, run.job, Duration.ofSeconds(120));
            awaitRows(run.table, 1, Duration.ofSeconds(60));

            // Records keep arriving through the chaos, so every recovery shows as new rows.
            AtomicBoolean chaosOver = new AtomicBoolean();
            AtomicLong produced = new AtomicLong(first);
            AtomicReference<Exception> producerFailure = new AtomicReference<>();
            Thread producer =
                    new Thread(
                            () -> {
                                try (KafkaProducer<byte[], byte[]> kafkaProducer = producer()) {
                                    while (!chaosOver.get()) {
                                        long from = produced.get();
                                        produce(kafkaProducer, run.topic, from, from + chunk);
                                        produced.set(from + chunk);
                                        Thread.sleep(250);
                                    }
                                } catch (Exception e) {
                                    producerFailure.set(e);
                                }
                            });
            producer.start();
            try {
                chaos.inflict(run);
            } finally {
                chaosOver.set(true);
                producer.join();
            }
            if (producerFailure.get() != null) {
                throw new IllegalStateException(
                        "The test's producer failed; the topic holds what it acknowledged",
                        producerFailure.get());
            }
            long total = produced.get();
            awaitAllRows(run, total * PARTITIONS, Duration.ofSeconds(120));
            cluster.cancel(run.job);
            awaitState(cluster, run.job, "CANCELED", Duration.ofSeconds(60));

            ExactlyOnceVerifier.Result result = verify(run.table, total);
            System.out.println(title + ": " + result + ", recoveries " + run.recoveries);
            assertThat(result.exactlyOnce()).as(result.toString()).isTrue();
            // Clients closing after the job's class loader is released would log now.
            Thread.sleep(3_000);
            String logs = cluster.logs();
            assertThat(logs)
                    .as("a fresh job connects at once, its driver in the job jar")
                    .doesNotContain("No suitable driver");
            assertThat(logs)
                    .as("no client of the job outlives its class loader")
                    .doesNotContainPattern("NoClassDefFoundError.*(kafka|postgresql|idempotent)")
                    .doesNotContain("PluginMetricsImpl")
                    .doesNotContain("Selector$CloseMode");
        }
    }

    private static ExactlyOnceVerifier.Result verify(String table, long perPartition)
            throws Exception {
        Map<String, List<Long>> expected = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            expected.put(Integer.toString(p), LongStream.range(0, perPartition).boxed().toList());
        }
        List<ExactlyOnceVerifier.Origin> delivered = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection(jdbcUrl);
                Statement statement = connection.createStatement();
                ResultSet rows =
                        statement.executeQuery(
                                "SELECT stream_partition, seq FROM "
                                        + table
                                        + " ORDER BY arrival")) {
            while (rows.next()) {
                delivered.add(new ExactlyOnceVerifier.Origin(rows.getString(1), rows.getLong(2)));
            }
        }
        return ExactlyOnceVerifier.verify(expected, delivered);
    }

    private static long rows(String table) throws Exception {
        try (Connection connection = DriverManager.getConnection(jdbcUrl);
                Statement statement = connection.createStatement();
                ResultSet count = statement.executeQuery("SELECT count(*) FROM " + table)) {
            count.next();
            return count.getLong(1);
        } catch (java.sql.SQLException noTableYet) {
            return 0;
        }
    }

    private static void awaitRows(String table, long atLeast, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long seen = 0;
        while (System.nanoTime() < deadline) {
            seen = rows(table);
            if (seen >= atLeast) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(
                "The table "
                        + table
                        + " holds "
                        + seen
                        + " rows, not "
                        + atLeast
                        + " or more; by partition: "
                        + byPartition(table));
    }

    /**
     * Waits until the table holds {@code atLeast} rows, for as long as it keeps growing: a slow
     * machine only takes longer, while a job that delivers nothing for {@code stall} fails the test
     * (a stall is what this test is for; longer than a read that waits for a broken broker, 60 s,
     * and the restart after it). Prints the progress every 15 s.
     */
    private static void awaitAllRows(Run run, long atLeast, Duration stall) throws Exception {
        String table = run.table;
        long started = System.nanoTime();
        long grew = started;
        long reported = started;
        long seen = rows(table);
        while (seen < atLeast) {
            Thread.sleep(200);
            long now = rows(table);
            long time = System.nanoTime();
            if (now > seen) {
                grew = time;
            }
            seen = now;
            if (time - reported > 15_000_000_000L) {
                reported = time;
                System.out.printf(
                        "  %d of %d rows after %.0f s%n", seen, atLeast, (time - started) / 1e9);
            }
            if (time - grew > stall.toNanos()) {
                throw new AssertionError(
                        String.format(
                                "The table %s stopped growing at %d of %d rows: nothing delivered"
                                        + " for %s. By partition: %s. The job is %s; its last"
                                        + " failures: %s; logs in %s",
                                table,
                                seen,
                                atLeast,
                                stall,
                                byPartition(table),
                                run.cluster.jobState(run.job),
                                run.cluster.exceptions(run.job),
                                run.cluster.logDir()));
            }
        }
        System.out.printf(
                "  all %d rows delivered after %.1f s%n",
                seen, (System.nanoTime() - started) / 1e9);
    }

    /** Rows, highest sequence number and distinct sequence numbers, per partition. */
    private static String byPartition(String table) throws Exception {
        StringBuilder summary = new StringBuilder();
        try (Connection connection = DriverManager.getConnection(jdbcUrl);
                Statement statement = connection.createStatement();
                ResultSet rows =
                        statement.executeQuery(
                                "SELECT stream_partition, count(*), max(seq),"
                                        + " count(DISTINCT seq) FROM "
                                        + table
                                        + " GROUP BY stream_partition ORDER BY 1")) {
            while (rows.next()) {
                summary.append(
                        String.format(
                                "[%s: %d rows, max %d, %d distinct] ",
                                rows.getString(1),
                                rows.getLong(2),
                                rows.getLong(3),
                                rows.getLong(4)));
            }
        }
        return summary.toString();
    }

    private static void awaitAllRunning(FlinkCluster cluster, String job, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (cluster.allTasksRunning(job)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(
                "The job is "
                        + cluster.jobState(job)
                        + ", not running all its tasks; see "
                        + cluster.logDir());
    }

    private static void awaitState(FlinkCluster cluster, String job, String state, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (cluster.jobState(job).equals(state)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("The job is " + cluster.jobState(job) + ", not " + state);
    }

    /**
     * Creates the topic and waits until every partition's leader answers: a producer that writes
     * before then gets NOT_LEADER_OR_FOLLOWER, and its idempotent retries were seen failing with
     * OUT_OF_ORDER_SEQUENCE_NUMBER until their delivery timeout (2 minutes).
     */
    private static void createTopic(String topic) throws Exception {
        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (Admin admin = Admin.create(config)) {
            admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1)))
                    .all()
                    .get(60, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
            for (int p = 0; p < PARTITIONS; p++) {
                ends.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                try {
                    admin.listOffsets(ends).all().get(10, TimeUnit.SECONDS);
                    return;
                } catch (java.util.concurrent.ExecutionException notYet) {
                    if (System.nanoTime() > deadline) {
                        throw notYet;
                    }
                    Thread.sleep(100);
                }
            }
        }
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return new KafkaProducer<>(config);
    }

    /**
     * Appends records {@code from} to {@code to} (exclusive) to every partition and waits until the
     * broker acknowledged each, so that what the test expects is what the topic holds.
     */
    private static void produce(
            KafkaProducer<byte[], byte[]> producer, String topic, long from, long to)
            throws Exception {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            for (long i = from; i < to; i++) {
                sent.add(
                        producer.send(
                                new ProducerRecord<>(
                                        topic, p, null, ("order " + p + "-" + i).getBytes())));
            }
        }
        producer.flush();
        for (Future<RecordMetadata> record : sent) {
            record.get();
        }
    }

    private static String flinkClasspath() throws Exception {
        return Files.readString(Path.of(System.getProperty("cluster.flinkClasspath"))).trim();
    }

    private static int postgresPort() {
        java.util.regex.Matcher port =
                java.util.regex.Pattern.compile("//[^:/]+:(\\d+)/").matcher(jdbcUrl);
        if (!port.find()) {
            throw new IllegalStateException("No port in " + jdbcUrl);
        }
        return Integer.parseInt(port.group(1));
    }

    private static String sqlClientClasspath() throws Exception {
        return Files.readString(Path.of(System.getProperty("cluster.sqlClientClasspath"))).trim();
    }

    /** The destination table as {@code ClusterJob} creates it: the arrival order, then the row. */
    private static void createTable(String table) throws Exception {
        try (Connection connection = DriverManager.getConnection(jdbcUrl);
                Statement statement = connection.createStatement()) {
            statement.execute(
                    "CREATE TABLE IF NOT EXISTS "
                            + table
                            + " (arrival BIGSERIAL PRIMARY KEY, stream_partition TEXT NOT NULL,"
                            + " seq BIGINT NOT NULL, payload TEXT NOT NULL)");
        }
    }

    private static String testClasspath() throws Exception {
        return Files.readString(Path.of(System.getProperty("cluster.testClasspath"))).trim()
                + java.io.File.pathSeparator
                + System.getProperty("cluster.testClasses");
    }
}
