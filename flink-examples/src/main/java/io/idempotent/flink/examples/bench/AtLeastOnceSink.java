package io.idempotent.flink.examples.bench;

import io.idempotent.flink.destination.Batch;
import io.idempotent.flink.destination.DestinationFactory;
import io.idempotent.flink.destination.IdempotentDestination;
import io.idempotent.flink.source.Traced;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * The baseline: the same destination, written at every checkpoint barrier (Flink calls {@code
 * flush}), without a checkpoint store, pending ranges or identities — at-least-once, as a plain
 * Sink V2 writer is.
 */
final class AtLeastOnceSink implements Sink<Traced<String>> {

    private final DestinationFactory<String> destinations;

    AtLeastOnceSink(DestinationFactory<String> destinations) {
        this.destinations = destinations;
    }

    @Override
    public SinkWriter<Traced<String>> createWriter(WriterInitContext context) {
        IdempotentDestination<String> destination = destinations.create();
        int subtask = context.getTaskInfo().getIndexOfThisSubtask();
        return new SinkWriter<>() {
            private List<String> buffered = new ArrayList<>();
            private long batches;

            @Override
            public void write(Traced<String> element, Context context) {
                buffered.add(element.value());
            }

            @Override
            public void flush(boolean endOfInput) throws IOException {
                if (buffered.isEmpty()) {
                    return;
                }
                // A random name: a replay after a failure would write the data again.
                StreamPartition partition =
                        new StreamPartition("at-least-once", subtask + "-" + UUID.randomUUID());
                try {
                    destination.send(
                            Batch.of(partition, SequenceRange.of(batches, batches), buffered));
                } catch (IOException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IOException(e);
                }
                batches++;
                buffered = new ArrayList<>();
            }

            @Override
            public void close() throws Exception {
                destination.close();
            }
        };
    }
}
