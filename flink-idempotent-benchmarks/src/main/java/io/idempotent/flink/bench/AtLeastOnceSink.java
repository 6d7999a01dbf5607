package io.idempotent.flink.bench;

import io.idempotent.flink.destination.Batch;
import io.idempotent.flink.destination.DestinationFactory;
import io.idempotent.flink.destination.IdempotentDestination;
import io.idempotent.flink.origin.Traced;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.annotation.Nullable;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * The baseline: the same destination, written at every checkpoint barrier (Flink calls {@code
 * flush}) in the same batches as {@code IdempotentSink} forms (one per partition and barrier), but
 * without a checkpoint store, pending ranges or replays, under a random identity — at-least-once,
 * as a plain Sink V2 writer is. With a delay it also sends on the eager sink's trigger: that delay
 * after the first element it took since its last send, on a timer of the task's processing-time
 * service.
 */
final class AtLeastOnceSink implements Sink<Traced<String>> {

    private final DestinationFactory<String> destinations;
    @Nullable private final Duration maxDelay;

    AtLeastOnceSink(DestinationFactory<String> destinations, @Nullable Duration maxDelay) {
        this.destinations = destinations;
        this.maxDelay = maxDelay;
    }

    @Override
    public SinkWriter<Traced<String>> createWriter(WriterInitContext context) {
        IdempotentDestination<String> destination = destinations.create();
        return new SinkWriter<>() {
            private final Map<String, List<String>> buffered = new LinkedHashMap<>();
            private final ProcessingTimeService timers = context.getProcessingTimeService();
            private long batches;
            private boolean timerSet;

            @Override
            public void write(Traced<String> element, Context context) {
                buffered.computeIfAbsent(element.origin().partition(), p -> new ArrayList<>())
                        .add(element.value());
                if (maxDelay != null && !timerSet) {
                    timerSet = true;
                    timers.registerTimer(
                            timers.getCurrentProcessingTime() + maxDelay.toMillis(),
                            time -> {
                                timerSet = false;
                                flush(false);
                            });
                }
            }

            @Override
            public void flush(boolean endOfInput) throws IOException {
                for (List<String> elements : buffered.values()) {
                    // A random name: a replay after a failure would write the data again.
                    StreamPartition partition =
                            new StreamPartition("at-least-once", UUID.randomUUID().toString());
                    try {
                        destination.send(
                                Batch.of(partition, SequenceRange.of(batches, batches), elements));
                    } catch (IOException e) {
                        throw e;
                    } catch (Exception e) {
                        throw new IOException(e);
                    }
                    batches++;
                }
                buffered.clear();
            }

            @Override
            public void close() throws Exception {
                destination.close();
            }
        };
    }
}
