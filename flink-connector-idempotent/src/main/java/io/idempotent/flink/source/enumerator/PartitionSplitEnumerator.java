package io.idempotent.flink.source.enumerator;

import io.idempotent.flink.checkpoint.CheckpointStoreFactory;
import io.idempotent.flink.checkpoint.PartitionCheckpoint;
import io.idempotent.flink.checkpoint.PartitionCheckpointStore;
import io.idempotent.flink.source.SourceSettings;
import io.idempotent.flink.source.StartingPosition;
import io.idempotent.flink.source.split.PartitionSplit;
import io.idempotent.flink.stream.PartitionedStream;
import io.idempotent.flink.stream.PartitionedStreamFactory;
import io.idempotent.flink.stream.StreamPartition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.util.FlinkRuntimeException;
import org.apache.flink.util.IOUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps stream partitions to splits, one per partition, and assigns them to readers.
 *
 * <p>Split lifecycle: a partition is discovered (at start, then every discovery interval in
 * unbounded mode) and becomes a split whose start comes from the {@link StartingPosition}; the
 * split waits in {@code unassigned} until its reader ({@code partition number modulo parallelism},
 * so that splits spread evenly) is registered; splits of a failed reader come back through {@link
 * #addSplitsBack} and wait for that reader to register again.
 *
 * <p>Threads: discovery (listing partitions, reading the checkpoint store) runs in the
 * coordinator's worker threads through {@code callAsync}; every other method runs in the
 * coordinator thread.
 */
@Internal
public final class PartitionSplitEnumerator
        implements SplitEnumerator<PartitionSplit, EnumeratorState> {

    private static final Logger LOG = LoggerFactory.getLogger(PartitionSplitEnumerator.class);

    private final SplitEnumeratorContext<PartitionSplit> context;
    private final PartitionedStreamFactory streams;
    @Nullable private final CheckpointStoreFactory stores;
    private final StartingPosition startingPosition;
    private final boolean bounded;
    private final Duration discoveryInterval;

    /** Read by discovery in a worker thread, written in the coordinator thread. */
    private final Set<String> discovered = ConcurrentHashMap.newKeySet();

    /**
     * Whether the partitions there when the job started have been discovered: every partition found
     * after that starts at its first record, whatever the starting position (as Flink's KafkaSource
     * does), or the records appended before its discovery would be skipped. A restored enumerator
     * is past it. Discovery runs in one worker thread at a time.
     */
    private volatile boolean initialDiscoveryDone;

    private final List<PartitionSplit> unassigned = new ArrayList<>();
    private final Set<Integer> noMoreSplitsSignalled = new HashSet<>();
    private boolean discoveryDone;
    @Nullable private PartitionedStream stream;
    @Nullable private PartitionCheckpointStore store;

    public PartitionSplitEnumerator(
            SplitEnumeratorContext<PartitionSplit> context,
            PartitionedStreamFactory streams,
            @Nullable CheckpointStoreFactory stores,
            SourceSettings settings,
            @Nullable EnumeratorState restored) {
        this.context = context;
        this.streams = streams;
        this.stores = stores;
        this.startingPosition = settings.startingPosition();
        this.bounded = settings.boundedness() == Boundedness.BOUNDED;
        this.discoveryInterval = settings.discoveryInterval();
        if (restored != null) {
            initialDiscoveryDone = true;
            discovered.addAll(restored.discovered());
            unassigned.addAll(restored.unassigned());
        }
    }

    @Override
    public void start() {
        if (bounded || discoveryInterval.isZero()) {
            context.callAsync(this::discover, this::onDiscovered);
        } else {
            long interval = discoveryInterval.toMillis();
            context.callAsync(this::discover, this::onDiscovered, 0, interval);
        }
    }

    /**
     * Worker thread: the splits of partitions not discovered yet. The stream and the store are
     * opened for one discovery and closed at its end: Flink closes a source coordinator
     * asynchronously, when the job's class loader may already be released, and a client closed then
     * cannot load the classes it closes with (a Kafka consumer logged {@code NoClassDefFoundError}
     * in the JobManager after every cancel).
     */
    private List<PartitionSplit> discover() {
        try {
            stream = streams.open();
            List<String> found = new ArrayList<>();
            for (String partition : stream.partitions()) {
                if (!discovered.contains(partition)) {
                    found.add(partition);
                }
            }
            List<PartitionSplit> splits = newSplits(found);
            initialDiscoveryDone = true;
            return splits;
        } finally {
            IOUtils.closeAllQuietly(Arrays.asList(stream, store));
            stream = null;
            store = null;
        }
    }

    /**
     * The splits of newly found partitions, their positions looked up for all of them at once (one
     * store read, one request per kind of stream position): thousands of partitions cost a few
     * requests, not thousands.
     */
    private List<PartitionSplit> newSplits(List<String> partitions) {
        if (partitions.isEmpty()) {
            return List.of();
        }
        String name = stream.qualifiedName();
        Map<String, Long> stops = bounded ? stream.endSequences(partitions) : Map.of();
        if (startingPosition == StartingPosition.CHECKPOINT_STORE) {
            return fromStore(name, partitions, stops);
        }
        // Earliest, or latest (a partition that appears while the job runs: from its first record).
        Map<String, Long> starts =
                startingPosition == StartingPosition.LATEST && !initialDiscoveryDone
                        ? stream.endSequences(partitions)
                        : stream.startSequences(partitions);
        List<PartitionSplit> splits = new ArrayList<>(partitions.size());
        for (String partition : partitions) {
            splits.add(
                    new PartitionSplit(
                            new StreamPartition(name, partition),
                            starts.get(partition),
                            stopOf(stops, partition),
                            null));
        }
        return splits;
    }

    /** Splits that start where the checkpoint store shows each partition, all read at once. */
    private List<PartitionSplit> fromStore(
            String name, List<String> partitions, Map<String, Long> stops) {
        List<PartitionSplit> splits = new ArrayList<>(partitions.size());
        if (store == null) {
            store = stores.open();
        }
        List<StreamPartition> named = new ArrayList<>(partitions.size());
        for (String partition : partitions) {
            named.add(new StreamPartition(name, partition));
        }
        Map<StreamPartition, PartitionCheckpoint> checkpoints = store.loadAll(named);
        // Nothing committed: from the beginning, wherever the log now starts. Something
        // committed: right after it, and a read fails loudly if that was removed.
        List<String> fresh = new ArrayList<>();
        for (StreamPartition partition : named) {
            if (isInitial(checkpoints.get(partition))) {
                fresh.add(partition.partition());
            }
        }
        Map<String, Long> beginnings = fresh.isEmpty() ? Map.of() : stream.startSequences(fresh);
        for (StreamPartition partition : named) {
            PartitionCheckpoint checkpoint = checkpoints.get(partition);
            LOG.debug("Partition {} starts from the checkpoint store: {}", partition, checkpoint);
            long next =
                    isInitial(checkpoint)
                            ? beginnings.get(partition.partition())
                            : checkpoint.nextSequence();
            splits.add(
                    new PartitionSplit(
                            partition,
                            next,
                            stopOf(stops, partition.partition()),
                            checkpoint.pending()));
        }
        LOG.info(
                "{} partitions of {} start from the checkpoint store, {} of them from"
                        + " the beginning (nothing committed)",
                named.size(),
                name,
                fresh.size());
        return splits;
    }

    private static boolean isInitial(PartitionCheckpoint checkpoint) {
        return checkpoint.committed() == PartitionCheckpoint.NOTHING_COMMITTED
                && checkpoint.pending() == null;
    }

    private long stopOf(Map<String, Long> stops, String partition) {
        return bounded ? stops.get(partition) : PartitionSplit.UNBOUNDED;
    }

    /** Coordinator thread. */
    private void onDiscovered(List<PartitionSplit> splits, Throwable error) {
        if (error != null) {
            throw new FlinkRuntimeException(
                    "Cannot discover the partitions of the stream or read where they start: "
                            + error.getMessage(),
                    error);
        }
        int found = 0;
        for (PartitionSplit split : splits) {
            if (discovered.add(split.partition().partition())) {
                LOG.debug("Discovered {}", split);
                unassigned.add(split);
                found++;
            }
        }
        if (found > 0) {
            // One line, not one per partition: a stream may have thousands.
            LOG.info(
                    "Discovered {} new partition(s) of {} ({} known)",
                    found,
                    splits.get(0).partition().stream(),
                    discovered.size());
        }
        discoveryDone = bounded || discoveryInterval.isZero() || discoveryDone;
        assignPending();
    }

    private void assignPending() {
        Map<Integer, List<PartitionSplit>> assignment = new HashMap<>();
        for (Iterator<PartitionSplit> iterator = unassigned.iterator(); iterator.hasNext(); ) {
            PartitionSplit split = iterator.next();
            int owner = ownerOf(split.partition().partition(), context.currentParallelism());
            if (context.registeredReaders().containsKey(owner)) {
                assignment.computeIfAbsent(owner, o -> new ArrayList<>()).add(split);
                iterator.remove();
            }
        }
        if (!assignment.isEmpty()) {
            context.assignSplits(new SplitsAssignment<>(assignment));
        }
        if (bounded && discoveryDone) {
            // All splits of a bounded read exist once discovery is done; a reader is told so
            // once everything it owns is assigned (again after it restarts).
            for (int reader : context.registeredReaders().keySet()) {
                boolean ownsUnassigned =
                        unassigned.stream()
                                .anyMatch(
                                        s ->
                                                ownerOf(
                                                                s.partition().partition(),
                                                                context.currentParallelism())
                                                        == reader);
                if (!ownsUnassigned && noMoreSplitsSignalled.add(reader)) {
                    context.signalNoMoreSplits(reader);
                }
            }
        }
    }

    /** Numbered partitions go round-robin; others by hash. */
    static int ownerOf(String partition, int parallelism) {
        try {
            return Math.floorMod(Integer.parseInt(partition), parallelism);
        } catch (NumberFormatException e) {
            return Math.floorMod(partition.hashCode(), parallelism);
        }
    }

    @Override
    public void handleSplitRequest(int subtaskId, @Nullable String requesterHostname) {
        // Splits are pushed when a reader registers or a partition is discovered.
    }

    @Override
    public void addSplitsBack(List<PartitionSplit> splits, int subtaskId) {
        unassigned.addAll(splits);
        assignPending();
    }

    @Override
    public void addReader(int subtaskId) {
        noMoreSplitsSignalled.remove(subtaskId);
        assignPending();
    }

    @Override
    public EnumeratorState snapshotState(long checkpointId) {
        return new EnumeratorState(discovered, unassigned);
    }

    @Override
    public void close() {
        IOUtils.closeAllQuietly(Arrays.asList(stream, store));
    }
}
