package io.idempotent.flink.sink;

import io.idempotent.flink.origin.TracedSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;
import org.apache.flink.streaming.api.transformations.OneInputTransformation;
import org.apache.flink.streaming.api.transformations.PartitionTransformation;
import org.apache.flink.streaming.api.transformations.SourceTransformation;
import org.apache.flink.streaming.runtime.partitioner.ForwardPartitioner;

/**
 * Checks, while a job is built, the part of the pipeline between the sources and an {@link
 * IdempotentSink}, and tells each {@link TracedSource} on the way (an {@code IdempotentSource})
 * which sink it feeds. Origin identities need every partition's elements in the source's order,
 * each pending range replayed in one piece before anything after it; what cannot give that is
 * refused here, with what to change, instead of failing after a restore:
 *
 * <ul>
 *   <li>a redistribution (keyBy, rebalance, shuffle, broadcast) between source and sink;
 *   <li>an async I/O operator, which re-emits its in-flight elements on restore, before the
 *       source's;
 *   <li>with unaligned checkpoints, an edge that may not be chained (in-flight records are stored
 *       and replayed on restore, and a barrier may overtake part of a replay);
 *   <li>a source that feeds two idempotent sinks.
 * </ul>
 */
final class PipelineCheck {

    private PipelineCheck() {}

    static void check(String sink, Object sinkObject, DataStream<?> input) {
        StreamExecutionEnvironment env = input.getExecutionEnvironment();
        boolean unaligned = env.getCheckpointConfig().isUnalignedCheckpointsEnabled();
        Set<Transformation<?>> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Transformation<?>> toVisit = new ArrayDeque<>();
        toVisit.add(input.getTransformation());
        List<TracedSource> sources = new ArrayList<>();
        Set<String> unchainable = new LinkedHashSet<>();
        Transformation<?> last = input.getTransformation();
        while (!toVisit.isEmpty()) {
            Transformation<?> transformation = toVisit.poll();
            if (!seen.add(transformation)) {
                continue;
            }
            if (transformation instanceof SourceTransformation<?, ?, ?> source
                    && source.getSource() instanceof TracedSource traced) {
                sources.add(traced);
            }
            if (transformation instanceof PartitionTransformation<?> partition
                    && !(partition.getPartitioner() instanceof ForwardPartitioner)) {
                throw refused(
                        sink,
                        String.format(
                                "the pipeline redistributes records (%s, a %s) between the"
                                        + " IdempotentSource and the sink. Origin identities need"
                                        + " each partition's records in one sink subtask, in"
                                        + " order: keep the sink chained to the source at the"
                                        + " same parallelism, or drop the origin and use"
                                        + " CheckpointAlignedSink.builder() (checkpoint"
                                        + " identities).",
                                transformation.getName(), partition.getPartitioner()));
            }
            if (transformation instanceof OneInputTransformation<?, ?> operator
                    && operator.getOperatorFactory() instanceof AsyncWaitOperatorFactory) {
                throw refused(
                        sink,
                        String.format(
                                "an async I/O operator ('%s', AsyncDataStream) sits between the"
                                        + " IdempotentSource and the sink. On a restore it"
                                        + " re-emits the elements it had in flight before"
                                        + " anything the source reads, out of the source's order."
                                        + " Make the asynchronous call in the destination (an"
                                        + " IdempotentDestination may call any service), or drop"
                                        + " the origin and use"
                                        + " CheckpointAlignedSink.builder().",
                                transformation.getName()));
            }
            if (unaligned) {
                String reason = unchainable(env, transformation, last);
                if (reason != null) {
                    unchainable.add(reason);
                }
            }
            toVisit.addAll(transformation.getInputs());
        }
        if (sources.isEmpty()) {
            return;
        }
        if (!unchainable.isEmpty()) {
            throw refused(
                    sink,
                    String.format(
                            "unaligned checkpoints are on and the records from the"
                                    + " IdempotentSource to the sink may cross a network edge"
                                    + " (%s). Unaligned checkpoints store the records in flight"
                                    + " on such an edge and replay them on restore before the"
                                    + " source's own, and let a barrier overtake part of a"
                                    + " replayed batch. Chain source and sink (one parallelism,"
                                    + " no disableChaining() or startNewChain(), one slot sharing"
                                    + " group), or turn unaligned checkpoints off"
                                    + " (execution.checkpointing.unaligned.enabled: false).",
                            String.join("; ", unchainable)));
        }
        for (TracedSource source : sources) {
            source.feeds(sink, sinkObject);
        }
    }

    /** Why {@code transformation} may not be chained to its input, or {@code null}. */
    private static String unchainable(
            StreamExecutionEnvironment env,
            Transformation<?> transformation,
            Transformation<?> last) {
        if (!env.isChainingEnabled()) {
            return "operator chaining is disabled";
        }
        if (transformation.getInputs().size() > 1) {
            return "'" + transformation.getName() + "' has several inputs";
        }
        if (transformation.getParallelism() != last.getParallelism()) {
            return "'" + transformation.getName() + "' has another parallelism";
        }
        if (!transformation.getSlotSharingGroup().equals(last.getSlotSharingGroup())) {
            return "'" + transformation.getName() + "' is in another slot sharing group";
        }
        if (transformation instanceof OneInputTransformation<?, ?> operator) {
            ChainingStrategy strategy = operator.getOperatorFactory().getChainingStrategy();
            if (strategy == ChainingStrategy.NEVER || strategy == ChainingStrategy.HEAD) {
                return "'" + transformation.getName() + "' starts a new chain";
            }
        }
        return null;
    }

    private static IllegalStateException refused(String sink, String why) {
        return new IllegalStateException("IdempotentSink '" + sink + "' refuses the job: " + why);
    }
}
