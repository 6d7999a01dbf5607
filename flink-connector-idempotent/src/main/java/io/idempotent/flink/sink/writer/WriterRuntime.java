package io.idempotent.flink.sink.writer;

import io.idempotent.flink.origin.Traced;
import io.idempotent.flink.sink.DeliveryMetrics;
import io.idempotent.flink.sink.ElementSizer;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;

/**
 * What the task gives a writer: its subtask index, its metrics, the serializer its elements are
 * measured with, and its processing-time service (the eager mode's timers; {@code null} only for a
 * writer that delivers at barriers, in a test).
 */
@Internal
public record WriterRuntime<T>(
        int subtask,
        DeliveryMetrics metrics,
        Counter recordsSent,
        ElementSizer<Traced<T>> sizer,
        @Nullable ProcessingTimeService timers) {

    /** The task's parts for a writer with {@code settings} (its per-partition metrics switch). */
    public static <T> WriterRuntime<T> of(WriterInitContext context, WriterSettings settings) {
        return new WriterRuntime<>(
                context.getTaskInfo().getIndexOfThisSubtask(),
                new DeliveryMetrics(context.metricGroup(), settings.perPartitionMetrics()),
                context.metricGroup().getNumRecordsSendCounter(),
                new ElementSizer<>(context.<Traced<T>>createInputSerializer()),
                context.getProcessingTimeService());
    }
}
