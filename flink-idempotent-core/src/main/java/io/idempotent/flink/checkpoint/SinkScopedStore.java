package io.idempotent.flink.checkpoint;

import io.idempotent.flink.stream.StreamPartition;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.apache.flink.annotation.Internal;

/**
 * One sink's checkpoints in a shared store: every partition is kept under the key {@code
 * <sink>/<stream>} and {@code <partition>}, so that sinks of different names (in one job or in
 * several) that read the same stream over one store each have their own committed position, pending
 * range and owner epoch, and never fence each other. The store sees ordinary stream partitions; a
 * sink name has no {@code '/'}, so the keys of two sinks cannot meet. Closing the view closes the
 * store.
 */
@Internal
public final class SinkScopedStore implements PartitionCheckpointStore {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private final String sink;
    private final PartitionCheckpointStore store;

    private SinkScopedStore(String sink, PartitionCheckpointStore store) {
        this.sink = requireValidName(sink);
        this.store = Objects.requireNonNull(store, "store");
    }

    /** The checkpoints of sink {@code sink} in {@code store}. */
    public static SinkScopedStore of(String sink, PartitionCheckpointStore store) {
        return new SinkScopedStore(sink, store);
    }

    /**
     * Checks a sink name: 1 to 64 letters, digits, {@code '.'}, {@code '_'} or {@code '-'},
     * starting with a letter or digit, so that it fits every store key, file name, HTTP header and
     * SQL text unchanged.
     */
    public static String requireValidName(String sink) {
        if (sink == null || !NAME.matcher(sink).matches()) {
            throw new IllegalArgumentException(
                    "A sink name has 1 to 64 letters, digits, '.', '_' or '-' and starts with a"
                            + " letter or digit (like an operator uid: stable across restarts"
                            + " and unique among the sinks that share a checkpoint store or a"
                            + " destination), but got "
                            + (sink == null ? "none" : "'" + sink + "'")
                            + ".");
        }
        return sink;
    }

    /** This sink's checkpoints, by the partitions of the streams it read. */
    @Override
    public Map<StreamPartition, PartitionCheckpoint> list() {
        return of(sink, store.list());
    }

    /**
     * Sink {@code sink}'s checkpoints among {@code all}, what the whole store lists, by the
     * partitions of the streams it read.
     */
    public static Map<StreamPartition, PartitionCheckpoint> of(
            String sink, Map<StreamPartition, PartitionCheckpoint> all) {
        String prefix = requireValidName(sink) + "/";
        Map<StreamPartition, PartitionCheckpoint> own = new LinkedHashMap<>();
        all.forEach(
                (key, checkpoint) -> {
                    if (key.stream().startsWith(prefix)) {
                        own.put(
                                new StreamPartition(
                                        key.stream().substring(prefix.length()), key.partition()),
                                checkpoint);
                    }
                });
        return own;
    }

    /** The store underneath, where sinks without a name (earlier versions) kept checkpoints. */
    public PartitionCheckpointStore unscoped() {
        return store;
    }

    /** A stream's name and its name in this sink's keys. */
    private record Scoped(String stream, String key) {}

    /**
     * The last stream scoped: a sink mostly reads one stream, and its keys then share one string
     * (with its hash) instead of a new one per key. Immutable, so threads may share it.
     */
    private volatile Scoped last = new Scoped("", "");

    /** The key under which the store keeps {@code partition}'s checkpoint for this sink. */
    private StreamPartition key(StreamPartition partition) {
        Scoped scoped = last;
        if (!scoped.stream().equals(partition.stream())) {
            scoped = new Scoped(partition.stream(), sink + "/" + partition.stream());
            last = scoped;
        }
        return new StreamPartition(scoped.key(), partition.partition());
    }

    @Override
    public long acquire(StreamPartition partition) {
        return store.acquire(key(partition));
    }

    @Override
    public Map<StreamPartition, Long> acquireAll(Collection<StreamPartition> partitions) {
        Map<StreamPartition, StreamPartition> byKey = new LinkedHashMap<>();
        for (StreamPartition partition : partitions) {
            byKey.put(key(partition), partition);
        }
        Map<StreamPartition, Long> epochs = new LinkedHashMap<>();
        store.acquireAll(byKey.keySet()).forEach((k, epoch) -> epochs.put(byKey.get(k), epoch));
        return epochs;
    }

    @Override
    public PartitionCheckpoint load(StreamPartition partition) {
        return store.load(key(partition));
    }

    @Override
    public Map<StreamPartition, PartitionCheckpoint> loadAll(
            Collection<StreamPartition> partitions) {
        Map<StreamPartition, StreamPartition> byKey = new LinkedHashMap<>();
        for (StreamPartition partition : partitions) {
            byKey.put(key(partition), partition);
        }
        Map<StreamPartition, PartitionCheckpoint> checkpoints = new LinkedHashMap<>();
        store.loadAll(byKey.keySet())
                .forEach((k, checkpoint) -> checkpoints.put(byKey.get(k), checkpoint));
        return checkpoints;
    }

    @Override
    public void apply(List<? extends CheckpointTransition> transitions) {
        List<CheckpointTransition> keyed = new ArrayList<>(transitions.size());
        for (CheckpointTransition transition : transitions) {
            keyed.add(transition.withPartition(key(transition.partition())));
        }
        try {
            store.apply(keyed);
        } catch (FencedException e) {
            // Name the partition as the sink knows it.
            String prefix = sink + "/";
            StreamPartition key = e.partition();
            StreamPartition partition =
                    key.stream().startsWith(prefix)
                            ? new StreamPartition(
                                    key.stream().substring(prefix.length()), key.partition())
                            : key;
            FencedException named =
                    new FencedException(partition, e.staleEpoch(), e.currentEpoch());
            named.addSuppressed(e);
            throw named;
        }
    }

    @Override
    public void close() {
        store.close();
    }

    @Override
    public String toString() {
        return "checkpoints of sink '" + sink + "'";
    }
}
