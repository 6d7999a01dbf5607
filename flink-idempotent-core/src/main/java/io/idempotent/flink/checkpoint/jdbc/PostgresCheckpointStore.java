package io.idempotent.flink.checkpoint.jdbc;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.checkpoint.CheckpointStoreException;
import io.idempotent.flink.checkpoint.CheckpointTransition;
import io.idempotent.flink.checkpoint.PartitionCheckpoint;
import io.idempotent.flink.checkpoint.PartitionCheckpointStore;
import io.idempotent.flink.checkpoint.PendingCheckpoint;
import io.idempotent.flink.storage.PostgresConnections;
import io.idempotent.flink.storage.WriteDurability;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.flink.annotation.PublicEvolving;

/**
 * A checkpoint store in a PostgreSQL table, shared by any number of processes and machines: the
 * store for a Flink cluster of several TaskManagers.
 *
 * <p>Each {@link #apply} is one transaction that locks the rows it changes ({@code SELECT … FOR
 * UPDATE}, in key order so that concurrent owners cannot deadlock), checks the transitions and
 * updates the rows. {@link #acquire} is a single atomic upsert. The table is created if missing; an
 * existing table without the expected columns is refused. With {@link WriteDurability#RELAXED} the
 * transactions run with {@code synchronous_commit = off}.
 *
 * <pre>{@code
 * PartitionCheckpointStore store =
 *         PostgresCheckpointStore.builder()
 *                 .url("jdbc:postgresql://db:5432/app")
 *                 .username("flink")
 *                 .password("…")
 *                 .build();
 * }</pre>
 */
@PublicEvolving
public final class PostgresCheckpointStore implements PartitionCheckpointStore {

    private static final String[] COLUMNS = {
        "stream",
        "partition_name",
        "epoch",
        "committed",
        "pending_from",
        "pending_to",
        "pending_batch_id",
        "pending_location"
    };

    private final PostgresConnections connections;
    private final String table;
    private final WriteDurability durability;

    PostgresCheckpointStore(
            PostgresConnections connections, String table, WriteDurability durability) {
        this.connections = connections;
        this.table = table;
        this.durability = durability;
        createOrCheckTable();
    }

    public static PostgresCheckpointStoreBuilder builder() {
        return new PostgresCheckpointStoreBuilder();
    }

    @Override
    public long acquire(StreamPartition partition) {
        return acquireAll(List.of(partition)).get(partition);
    }

    @Override
    public synchronized Map<StreamPartition, Long> acquireAll(
            Collection<StreamPartition> partitions) {
        // One statement for all: rows are taken in key order, so concurrent owners cannot
        // deadlock.
        List<StreamPartition> ordered = new ArrayList<>(new TreeSet<>(partitions));
        String sql =
                "INSERT INTO "
                        + table
                        + " AS t (stream, partition_name, epoch, committed)"
                        + " SELECT s, p, 1, -1 FROM unnest(?::text[], ?::text[])"
                        + " WITH ORDINALITY AS u(s, p, n) ORDER BY n"
                        + " ON CONFLICT (stream, partition_name) DO UPDATE"
                        + " SET epoch = t.epoch + 1, updated_at = now()"
                        + " RETURNING stream, partition_name, epoch";
        Map<StreamPartition, Long> acquired =
                transaction(
                        () -> "acquire " + describe(ordered, "partitions"),
                        durability,
                        connection -> {
                            Map<StreamPartition, Long> epochs = new HashMap<>();
                            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                                statement.setArray(
                                        1,
                                        connection.createArrayOf(
                                                "text",
                                                ordered.stream()
                                                        .map(StreamPartition::stream)
                                                        .toArray()));
                                statement.setArray(
                                        2,
                                        connection.createArrayOf(
                                                "text",
                                                ordered.stream()
                                                        .map(StreamPartition::partition)
                                                        .toArray()));
                                try (ResultSet row = statement.executeQuery()) {
                                    while (row.next()) {
                                        epochs.put(
                                                new StreamPartition(
                                                        row.getString(1), row.getString(2)),
                                                row.getLong(3));
                                    }
                                }
                            }
                            return epochs;
                        });
        Map<StreamPartition, Long> epochs = new LinkedHashMap<>();
        for (StreamPartition partition : partitions) {
            epochs.put(partition, acquired.get(partition));
        }
        return epochs;
    }

    /** Names a few items, and counts the rest: a message stays short at any scale. */
    private static String describe(Collection<?> items, String what) {
        return items.size() <= 3
                ? items.toString()
                : items.stream().limit(3).toList() + " and " + (items.size() - 3) + " more " + what;
    }

    @Override
    public synchronized PartitionCheckpoint load(StreamPartition partition) {
        return transaction(
                        () -> "load " + partition,
                        durability,
                        connection ->
                                select(connection, partition.stream(), Set.of(partition), false))
                .getOrDefault(partition, PartitionCheckpoint.INITIAL);
    }

    @Override
    public synchronized Map<StreamPartition, PartitionCheckpoint> loadAll(
            Collection<StreamPartition> partitions) {
        Map<String, Set<StreamPartition>> byStream = new TreeMap<>();
        for (StreamPartition partition : partitions) {
            byStream.computeIfAbsent(partition.stream(), s -> new HashSet<>()).add(partition);
        }
        Map<StreamPartition, PartitionCheckpoint> found =
                transaction(
                        () -> "load " + describe(partitions, "partitions"),
                        durability,
                        connection -> {
                            Map<StreamPartition, PartitionCheckpoint> rows = new HashMap<>();
                            for (var stream : byStream.entrySet()) {
                                rows.putAll(
                                        select(
                                                connection,
                                                stream.getKey(),
                                                stream.getValue(),
                                                false));
                            }
                            return rows;
                        });
        Map<StreamPartition, PartitionCheckpoint> checkpoints = new LinkedHashMap<>();
        for (StreamPartition partition : partitions) {
            checkpoints.put(partition, found.getOrDefault(partition, PartitionCheckpoint.INITIAL));
        }
        return checkpoints;
    }

    @Override
    public synchronized void apply(List<? extends CheckpointTransition> transitions) {
        if (transitions.isEmpty()) {
            return;
        }
        Map<String, Set<StreamPartition>> byStream = new HashMap<>();
        for (CheckpointTransition transition : transitions) {
            byStream.computeIfAbsent(transition.partition().stream(), s -> new TreeSet<>())
                    .add(transition.partition());
        }
        transaction(
                () -> "apply " + describe(transitions, "transitions"),
                durability,
                connection -> {
                    Map<StreamPartition, PartitionCheckpoint> locked = new HashMap<>();
                    for (String stream : new TreeSet<>(byStream.keySet())) {
                        locked.putAll(select(connection, stream, byStream.get(stream), true));
                    }
                    Map<StreamPartition, PartitionCheckpoint> updated =
                            CheckpointTransition.applyAll(
                                    transitions,
                                    p -> locked.getOrDefault(p, PartitionCheckpoint.INITIAL));
                    update(connection, updated);
                    return null;
                });
    }

    @Override
    public Map<StreamPartition, PartitionCheckpoint> list() {
        return transaction(
                () -> "list the checkpoints",
                WriteDurability.RELAXED,
                connection -> {
                    Map<StreamPartition, PartitionCheckpoint> all = new LinkedHashMap<>();
                    try (PreparedStatement statement =
                                    connection.prepareStatement(
                                            "SELECT partition_name, epoch, committed,"
                                                    + " pending_from, pending_to, pending_batch_id,"
                                                    + " pending_location, stream FROM "
                                                    + table
                                                    + " ORDER BY stream, partition_name");
                            ResultSet row = statement.executeQuery()) {
                        while (row.next()) {
                            StreamPartition partition =
                                    new StreamPartition(row.getString(8), row.getString(1));
                            all.put(partition, decode(partition, row));
                        }
                    }
                    return all;
                });
    }

    @Override
    public void close() {
        connections.close();
    }

    private <T> T transaction(
            Supplier<String> what,
            WriteDurability writeDurability,
            PostgresConnections.Work<T> work) {
        try {
            return connections.inTransaction(writeDurability, work);
        } catch (SQLException e) {
            throw new CheckpointStoreException(
                    String.format(
                            "Cannot %s in the PostgreSQL checkpoint store at %s: %s (SQL state"
                                    + " %s). Check that the server is reachable and the user may"
                                    + " write the table; the protocol resumes from what the"
                                    + " store holds.",
                            what.get(), connections.url(), e.getMessage(), e.getSQLState()),
                    e);
        }
    }

    private Map<StreamPartition, PartitionCheckpoint> select(
            Connection connection, String stream, Set<StreamPartition> partitions, boolean lock)
            throws SQLException {
        String sql =
                "SELECT partition_name, epoch, committed, pending_from, pending_to,"
                        + " pending_batch_id, pending_location FROM "
                        + table
                        + " WHERE stream = ? AND partition_name = ANY (?) ORDER BY partition_name"
                        + (lock ? " FOR UPDATE" : "");
        Map<StreamPartition, PartitionCheckpoint> found = new HashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, stream);
            statement.setArray(
                    2,
                    connection.createArrayOf(
                            "text", partitions.stream().map(StreamPartition::partition).toArray()));
            try (ResultSet row = statement.executeQuery()) {
                while (row.next()) {
                    StreamPartition partition = new StreamPartition(stream, row.getString(1));
                    found.put(partition, decode(partition, row));
                }
            }
        }
        return found;
    }

    private PartitionCheckpoint decode(StreamPartition partition, ResultSet row)
            throws SQLException {
        try {
            PendingCheckpoint pending = null;
            String batchId = row.getString(6);
            if (batchId != null) {
                pending =
                        new PendingCheckpoint(
                                SequenceRange.of(row.getLong(4), row.getLong(5)),
                                BatchId.parse(batchId),
                                row.getString(7));
            }
            return new PartitionCheckpoint(row.getLong(2), row.getLong(3), pending);
        } catch (IllegalArgumentException e) {
            throw new CheckpointStoreException(
                    String.format(
                            "The checkpoint row of %s in table %s is invalid (%s). Nothing was"
                                    + " changed; repair or delete the row.",
                            partition, table, e.getMessage()),
                    e);
        }
    }

    /**
     * Writes {@code updated} with one statement, whatever the number of rows: a statement per row
     * (a JDBC batch) took 70 ms for the ~1,400 rows of a delivery at 10,000 partitions.
     */
    private void update(Connection connection, Map<StreamPartition, PartitionCheckpoint> updated)
            throws SQLException {
        String sql =
                "UPDATE "
                        + table
                        + " AS t SET committed = v.committed, pending_from = v.pending_from,"
                        + " pending_to = v.pending_to, pending_batch_id = v.pending_batch_id,"
                        + " pending_location = v.pending_location, updated_at = now()"
                        + " FROM unnest(?::text[], ?::text[], ?::bigint[], ?::bigint[],"
                        + " ?::bigint[], ?::bigint[], ?::text[], ?::text[])"
                        + " AS v(stream, partition_name, epoch, committed, pending_from,"
                        + " pending_to, pending_batch_id, pending_location)"
                        + " WHERE t.stream = v.stream AND t.partition_name = v.partition_name"
                        + " AND t.epoch = v.epoch";
        int rows = updated.size();
        String[] streams = new String[rows];
        String[] partitions = new String[rows];
        Long[] epochs = new Long[rows];
        Long[] committed = new Long[rows];
        Long[] pendingFrom = new Long[rows];
        Long[] pendingTo = new Long[rows];
        String[] batchIds = new String[rows];
        String[] locations = new String[rows];
        int row = 0;
        for (Map.Entry<StreamPartition, PartitionCheckpoint> entry : updated.entrySet()) {
            PartitionCheckpoint checkpoint = entry.getValue();
            PendingCheckpoint pending = checkpoint.pending();
            streams[row] = entry.getKey().stream();
            partitions[row] = entry.getKey().partition();
            epochs[row] = checkpoint.epoch();
            committed[row] = checkpoint.committed();
            if (pending != null) {
                pendingFrom[row] = pending.range().from();
                pendingTo[row] = pending.range().to();
                batchIds[row] = pending.batchId().value();
                locations[row] = pending.location();
            }
            row++;
        }
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setArray(1, connection.createArrayOf("text", streams));
            statement.setArray(2, connection.createArrayOf("text", partitions));
            statement.setArray(3, connection.createArrayOf("bigint", epochs));
            statement.setArray(4, connection.createArrayOf("bigint", committed));
            statement.setArray(5, connection.createArrayOf("bigint", pendingFrom));
            statement.setArray(6, connection.createArrayOf("bigint", pendingTo));
            statement.setArray(7, connection.createArrayOf("text", batchIds));
            statement.setArray(8, connection.createArrayOf("text", locations));
            int count = statement.executeUpdate();
            if (count != rows) {
                // Rows are locked, so this means the table was changed behind the store.
                throw new SQLException(
                        String.format(
                                "%d of %d checkpoint rows changed while locked",
                                rows - count, rows));
            }
        }
    }

    private void createOrCheckTable() {
        transaction(
                () -> "create or check table " + table,
                WriteDurability.SYNCED,
                connection -> {
                    // Concurrent CREATE TABLE IF NOT EXISTS can still collide in the catalog:
                    // every process that opens the store creates or checks the table in turn.
                    try (PreparedStatement lock =
                            connection.prepareStatement(
                                    "SELECT pg_advisory_xact_lock(hashtext(?))")) {
                        lock.setString(1, "io.idempotent.flink:" + table);
                        lock.execute();
                    }
                    List<String> missing = missingColumns(connection);
                    if (missing == null) {
                        try (Statement statement = connection.createStatement()) {
                            statement.execute(
                                    "CREATE TABLE IF NOT EXISTS "
                                            + table
                                            + " (stream TEXT NOT NULL,"
                                            + " partition_name TEXT NOT NULL,"
                                            + " epoch BIGINT NOT NULL,"
                                            + " committed BIGINT NOT NULL,"
                                            + " pending_from BIGINT, pending_to BIGINT,"
                                            + " pending_batch_id TEXT, pending_location TEXT,"
                                            + " updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),"
                                            + " PRIMARY KEY (stream, partition_name))");
                        }
                    } else if (!missing.isEmpty()) {
                        throw new CheckpointStoreException(
                                String.format(
                                        "Table %s exists but is not a partition checkpoint table:"
                                                + " it lacks the columns %s. Nothing was changed;"
                                                + " choose another table name for the store.",
                                        table, missing));
                    }
                    return null;
                });
    }

    /** The expected columns the table lacks, or {@code null} if there is no such table. */
    private List<String> missingColumns(Connection connection) throws SQLException {
        String sql =
                "SELECT column_name FROM information_schema.columns"
                        + " WHERE table_schema = current_schema() AND table_name = ?";
        Set<String> present = new TreeSet<>();
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, table);
            try (ResultSet row = statement.executeQuery()) {
                while (row.next()) {
                    present.add(row.getString(1));
                }
            }
        }
        if (present.isEmpty()) {
            return null;
        }
        List<String> missing = new ArrayList<>();
        for (String column : COLUMNS) {
            if (!present.contains(column)) {
                missing.add(column);
            }
        }
        return missing.stream().sorted().collect(Collectors.toList());
    }
}
