package io.idempotent.flink.sink.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.checkpoint.PartitionCheckpoint;
import io.idempotent.flink.checkpoint.PendingCheckpoint;
import io.idempotent.flink.checkpoint.SinkScopedStore;
import io.idempotent.flink.destination.IdempotentDestination;
import io.idempotent.flink.destination.SendOutcome;
import io.idempotent.flink.destination.UnencodableElementException;
import io.idempotent.flink.destination.file.FileDestination;
import io.idempotent.flink.fakes.CountingCheckpointStore;
import io.idempotent.flink.fakes.RecordingDestination;
import io.idempotent.flink.origin.Origin;
import io.idempotent.flink.origin.Traced;
import io.idempotent.flink.origin.TracedSerializer;
import io.idempotent.flink.sink.BatchLimit;
import io.idempotent.flink.sink.DeadLetter;
import io.idempotent.flink.sink.DeliveryMetrics;
import io.idempotent.flink.sink.ElementSizer;
import io.idempotent.flink.sink.IdempotentSinkOptions;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import io.idempotent.flink.testutils.OriginLine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer of {@code IdempotentSink}: batches per partition between barriers, delivered at the
 * barrier with one store write that also commits the barrier before; fitted to the store after a
 * restore (design.md rows F3 and F7).
 */
class BatchingWriterTest {

    private static final StreamPartition P0 = new StreamPartition("s", "0");
    private static final StreamPartition P1 = new StreamPartition("s", "1");

    private static final String SINK = "w";

    private static final ElementSizer<Traced<String>> SIZER =
            new ElementSizer<>(new TracedSerializer<>(StringSerializer.INSTANCE));

    private final CountingCheckpointStore store = new CountingCheckpointStore();
    private final SinkScopedStore checkpoints = SinkScopedStore.of(SINK, store);
    private final RecordingDestination<String> destination = new RecordingDestination<>();
    private final SimpleCounter sent = new SimpleCounter();
    private BatchingWriter<String> writer = newWriter();

    private BatchingWriter<String> newWriter() {
        return newWriter(IdempotentSinkOptions.BATCH_MAX_RECORDS.defaultValue());
    }

    private BatchingWriter<String> newWriter(int maxRecords) {
        return newWriter(new BatchLimit(maxRecords, Long.MAX_VALUE));
    }

    private BatchingWriter<String> newWriter(BatchLimit limit) {
        return writer(SINK, checkpoints, destination, limit, null);
    }

    /**
     * An eager writer: it delivers {@code delayMillis} after a first element, on {@code timers}.
     */
    private BatchingWriter<String> newWriter(
            BatchLimit limit, ProcessingTimeService timers, long delayMillis) {
        return new BatchingWriter<>(
                WriterSettings.atBarriers(SINK, limit).eager(Duration.ofMillis(delayMillis)),
                runtime(timers),
                checkpoints,
                destination,
                null);
    }

    private BatchingWriter<String> writer(
            String sink,
            SinkScopedStore store,
            IdempotentDestination<String> into,
            BatchLimit limit,
            IdempotentDestination<DeadLetter<String>> deadLetters) {
        return new BatchingWriter<>(
                WriterSettings.atBarriers(sink, limit), runtime(null), store, into, deadLetters);
    }

    private WriterRuntime<String> runtime(ProcessingTimeService timers) {
        return new WriterRuntime<>(
                0, new DeliveryMetrics(new UnregisteredMetricsGroup()), sent, SIZER, timers);
    }

    /**
     * Proves design.md row F23: in the eager mode the writer delivers every partition's batch with
     * one store write when the delay after its first element has passed, without a barrier; the
     * next timer, with nothing new, writes the commits alone; then no timer runs until an element
     * comes.
     */
    @Test
    void eagerDeliversEveryPartitionsBatchInOneWriteOnceTheDelayHasPassed() {
        ManualTimers timers = new ManualTimers();
        writer = newWriter(new BatchLimit(10_000, Long.MAX_VALUE), timers, 50);
        write("0", 0);
        timers.advance(20);
        write("1", 0);
        write("0", 1);
        timers.advance(29);
        assertThat(sentIds()).as("not before the delay").isEmpty();
        int writes = store.writes.size();
        timers.advance(1);
        assertThat(sentIds()).containsExactly("w/s/0/0-1", "w/s/1/0-0");
        assertThat(store.writes).hasSize(writes + 1);
        assertThat(checkpoints.load(P0).pending()).as("commit deferred").isNotNull();

        timers.advance(50);
        assertThat(store.writes).as("the commits alone").hasSize(writes + 2);
        assertThat(checkpoints.load(P0)).isEqualTo(new PartitionCheckpoint(1, 1, null));
        assertThat(checkpoints.load(P1)).isEqualTo(new PartitionCheckpoint(1, 0, null));
        timers.advance(1_000);
        assertThat(store.writes).as("quiet: no timer").hasSize(writes + 2);

        write("0", 2);
        timers.advance(50);
        assertThat(sentIds()).endsWith("w/s/0/2-2");
        assertThat(store.writes).hasSize(writes + 3);
    }

    /**
     * Proves design.md row F30: the partitions whose first elements arrived since the last delivery
     * are taken over together, with one store write (and one read), however many they are; nothing
     * is acquired before the delivery needs it.
     */
    @Test
    void aThousandNewPartitionsAreTakenOverWithOneStoreWriteAtTheFirstDelivery() {
        ManualTimers timers = new ManualTimers();
        writer = newWriter(new BatchLimit(10_000, Long.MAX_VALUE), timers, 50);
        for (int p = 0; p < 1_000; p++) {
            write(Integer.toString(p), 7);
        }
        assertThat(store.acquisitions).as("nothing acquired before the delivery").isZero();
        timers.advance(50);
        assertThat(store.acquired).isEqualTo(1_000);
        assertThat(store.acquisitions).as("one acquisition write for all").isEqualTo(1);
        assertThat(store.loads)
                .as("one read of the sink's checkpoints, one of an unnamed sink's (F11)")
                .isEqualTo(2);
        assertThat(store.writes).as("one write marks all batches").hasSize(1);
        assertThat(store.writes.get(0)).hasSize(1_000);
        assertThat(destination.sends()).hasSize(1_000);

        write("0", 8);
        write("1000", 0);
        timers.advance(50);
        assertThat(store.acquisitions).as("only the new partition").isEqualTo(2);
        assertThat(store.acquired).isEqualTo(1_001);
        assertThat(timers.pending()).as("one timer: one write per delay at most").isEqualTo(1);
        int writes = store.writes.size();
        write("1001", 0);
        timers.advance(50);
        timers.advance(50);
        assertThat(store.writes)
                .as("a delivery with a take-over, then the commits alone")
                .hasSize(writes + 2);
    }

    /** A processing-time service whose clock the test moves; due timers fire in order. */
    private static final class ManualTimers implements ProcessingTimeService {
        private final java.util.PriorityQueue<Object[]> due =
                new java.util.PriorityQueue<>(
                        java.util.Comparator.comparingLong(timer -> (Long) timer[0]));
        private long now;

        @Override
        public long getCurrentProcessingTime() {
            return now;
        }

        @Override
        public java.util.concurrent.ScheduledFuture<?> registerTimer(
                long time, ProcessingTimeCallback callback) {
            due.add(new Object[] {time, callback});
            return null;
        }

        int pending() {
            return due.size();
        }

        void advance(long millis) {
            now += millis;
            while (!due.isEmpty() && (Long) due.peek()[0] <= now) {
                try {
                    ((ProcessingTimeCallback) due.poll()[1]).onProcessingTime(now);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    private void write(String partition, long sequence, PendingCheckpoint replaying, int reader) {
        writer.write(
                new Traced<>(
                        new Origin("s", partition, sequence, replaying, reader),
                        OriginLine.of(partition, sequence)),
                null);
    }

    private void write(String partition, long sequence) {
        write(partition, sequence, null, 0);
    }

    private List<String> sentIds() {
        return destination.sends().stream().map(s -> s.id().value()).toList();
    }

    @Test
    void deliversOneBatchPerPartitionAtEachBarrierWithOneStoreWrite() {
        write("0", 3);
        write("1", 0);
        write("0", 4);
        write("0", 4); // a flatMap's second element of record 4
        write("0", 9);
        writer.flush(false);
        assertThat(sentIds()).containsExactly("w/s/0/3-9", "w/s/1/0-0");
        assertThat(destination.contents().get(BatchId.of(SINK, P0, SequenceRange.of(3, 9))))
                .containsExactly("0:3", "0:4", "0:4", "0:9");
        assertThat(sent.getCount()).isEqualTo(5);
        assertThat(store.acquired).as("each partition once").isEqualTo(2);
        assertThat(store.acquisitions).as("both in one store write").isEqualTo(1);
        assertThat(store.writes).as("the marks of both partitions").hasSize(1);
        assertThat(checkpoints.load(P0).pending().range()).isEqualTo(SequenceRange.of(3, 9));

        write("0", 10);
        writer.flush(false);
        assertThat(store.writes).as("the commits ride in the next barrier's write").hasSize(2);
        assertThat(CountingCheckpointStore.kinds(store.writes.get(1)))
                .containsExactly("Commit", "Commit", "MarkPending");
        assertThat(checkpoints.load(P1)).isEqualTo(new PartitionCheckpoint(1, 0, null));

        writer.flush(false);
        writer.flush(false);
        assertThat(store.writes).as("then the last commit, then nothing").hasSize(3);
        assertThat(checkpoints.load(P0).committed()).isEqualTo(10);
        assertThat(checkpoints.load(P0).pending()).isNull();
    }

    @Test
    void theEndOfTheInputCommitsEverything() {
        write("0", 0);
        writer.flush(true);
        assertThat(store.writes).hasSize(2);
        assertThat(checkpoints.load(P0)).isEqualTo(new PartitionCheckpoint(1, 0, null));
    }

    @Test
    void afterARestoreWhatTheStoreShowsCommittedIsDropped() {
        write("0", 0);
        write("0", 1);
        writer.flush(true);
        writer = newWriter(); // restored from a checkpoint before sequence 0
        write("0", 0);
        write("0", 1);
        write("0", 2);
        writer.flush(true);
        assertThat(sentIds()).containsExactly("w/s/0/0-1", "w/s/0/2-2");
        assertThat(checkpoints.load(P0).committed()).isEqualTo(2);
    }

    @Test
    void aPendingRangeIsReplayedAsExactlyThatBatchThenTheRestFollows() {
        write("0", 10);
        write("0", 12);
        writer.flush(false); // sent, its commit deferred; then the job dies
        PendingCheckpoint pending = checkpoints.load(P0).pending();
        assertThat(pending.range()).isEqualTo(SequenceRange.of(10, 12));

        writer = newWriter();
        write("0", 10, pending, 0);
        write("0", 12, pending, 0); // the identity is the range, whatever was filtered out
        write("0", 13);
        writer.flush(false);
        assertThat(destination.sends())
                .extracting(RecordingDestination.Send::outcome)
                .containsExactly(
                        SendOutcome.APPLIED, SendOutcome.REPEAT_DROPPED, SendOutcome.APPLIED);
        assertThat(sentIds()).containsExactly("w/s/0/10-12", "w/s/0/10-12", "w/s/0/13-13");
        assertThat(checkpoints.load(P0).pending().range()).isEqualTo(SequenceRange.of(13, 13));
    }

    /**
     * Proves design.md row F26: in the eager mode a timer may fire between two elements of a replay
     * when the sink is not chained to the source (records then come over the network, one at a
     * time, with the task's timers between them). The replay is re-sent whole, never cut: a cut one
     * would apply part of a batch the destination never had under its identity, and drop the rest
     * as a repeat. Seen failing before the fix: the timer sent w/s/0/10-12 with 10 alone.
     */
    @Test
    void aTimerBetweenTheElementsOfAReplayDoesNotCutIt() {
        write("0", 10);
        write("0", 11);
        write("0", 12);
        destination.failNextSend(RecordingDestination.Fault.BEFORE_WRITE);
        assertThatThrownBy(() -> writer.flush(false)).hasStackTraceContaining("injected failure");
        PendingCheckpoint pending = checkpoints.load(P0).pending();
        assertThat(pending.range()).isEqualTo(SequenceRange.of(10, 12));

        ManualTimers timers = new ManualTimers();
        writer = newWriter(new BatchLimit(10_000, Long.MAX_VALUE), timers, 5);
        write("0", 10, pending, 0);
        timers.advance(5);
        write("0", 11, pending, 0);
        timers.advance(5);
        write("0", 12, pending, 0);
        timers.advance(5);
        write("0", 13);
        timers.advance(5);
        timers.advance(5);
        assertThat(destination.contents())
                .containsEntry(
                        BatchId.of(SINK, P0, SequenceRange.of(10, 12)),
                        List.of("0:10", "0:11", "0:12"))
                .containsEntry(BatchId.of(SINK, P0, SequenceRange.of(13, 13)), List.of("0:13"));
        assertThat(checkpoints.load(P0))
                .isEqualTo(new PartitionCheckpoint(checkpoints.load(P0).epoch(), 13, null));
    }

    /**
     * Proves design.md row F14 in the eager mode: a delivery that fails on a timer fails the task
     * only when Flink gets to it, and until then records keep coming. The writer takes none of
     * them: taking their partition over again would fence the newer owner (a fresh job after a lost
     * JobManager), which would then stop without restarts. Seen failing before the fix: the write
     * took partition 0 back at a higher epoch.
     */
    @Test
    void afterADeliveryFailedOnATimerTheWriterTakesNothingMoreAndFencesNoOne() {
        ManualTimers timers = new ManualTimers();
        writer = newWriter(new BatchLimit(10_000, Long.MAX_VALUE), timers, 5);
        write("0", 0);
        timers.advance(5);
        long newer = checkpoints.acquire(P0); // another job takes partition 0 over
        write("0", 1);
        assertThatThrownBy(() -> timers.advance(5))
                .hasStackTraceContaining("lost partition")
                .hasStackTraceContaining(SuppressRestartsException.class.getName());

        assertThatThrownBy(() -> write("0", 2))
                .isInstanceOf(SuppressRestartsException.class)
                .hasStackTraceContaining("lost partition");
        assertThatThrownBy(() -> writer.flush(false)).isInstanceOf(SuppressRestartsException.class);
        assertThat(checkpoints.load(P0).epoch()).as("the newer owner keeps it").isEqualTo(newer);
    }

    @Test
    void recordsAfterAPendingRangeThatWasNotReplayedAreRefused() {
        write("0", 10);
        writer.flush(false);
        writer = newWriter();
        write("0", 11); // taken over, and checked, at the next delivery
        assertThatThrownBy(() -> writer.flush(false))
                .hasMessageContaining("holds the pending range")
                .hasMessageContaining("arrived without being replayed")
                .hasMessageContaining("checkpointStore(...)");
        assertThat(checkpoints.load(P0).pending()).as("left for a replay").isNotNull();
    }

    @Test
    void aReplayOfARangeCommittedSinceIsDropped() {
        write("0", 10);
        writer.flush(false);
        PendingCheckpoint pending = checkpoints.load(P0).pending();
        writer.flush(false);
        writer = newWriter();
        write("0", 10, pending, 0);
        writer.flush(false);
        assertThat(sentIds()).containsExactly("w/s/0/10-10");
    }

    @Test
    void refusesRecordsReadByAnotherSourceSubtask() {
        assertThatThrownBy(() -> write("0", 1, null, 1))
                .as("a restart cannot mend the pipeline")
                .isInstanceOf(SuppressRestartsException.class)
                .hasStackTraceContaining(
                        "Sink subtask 0 received a record of s/0 read by source subtask 1")
                .hasStackTraceContaining("CheckpointAlignedSink.builder()");
    }

    /**
     * Proves design.md row F19: a backlog forms batches of at most the limit, each delivered when
     * full with one store write, and a record's elements stay in one batch.
     */
    @Test
    void aFullBatchIsDeliveredAtOnceAndNoBatchExceedsTheLimit() {
        writer = newWriter(3);
        for (long sequence = 0; sequence < 7; sequence++) {
            write("0", sequence);
        }
        write("0", 6); // a flatMap's second element of record 6
        write("0", 6);
        assertThat(sentIds())
                .as("full batches go before the barrier")
                .containsExactly("w/s/0/0-2", "w/s/0/3-5");
        assertThat(store.writes).hasSize(2);
        writer.flush(true);
        assertThat(sentIds()).containsExactly("w/s/0/0-2", "w/s/0/3-5", "w/s/0/6-6");
        assertThat(destination.contents().get(BatchId.of(SINK, P0, SequenceRange.of(6, 6))))
                .hasSize(3);
        assertThat(checkpoints.load(P0)).isEqualTo(new PartitionCheckpoint(1, 6, null));
    }

    /**
     * Proves design.md row F19 for bytes: a batch is delivered before an element would take it
     * beyond {@code sink.batch.max-bytes}; a record's elements stay together, and an element larger
     * than the limit forms a batch of its own.
     */
    @Test
    void aBatchIsDeliveredBeforeItWouldExceedTheByteLimit() {
        long one = SIZER.sizeOf(new Traced<>(new Origin("s", "0", 0, null, 0), "0:0"));
        writer = newWriter(new BatchLimit(1_000, 3 * one));
        for (long sequence = 0; sequence < 7; sequence++) {
            write("0", sequence);
        }
        write("0", 6); // a flatMap's second and third elements of record 6
        write("0", 6);
        assertThat(sentIds()).containsExactly("w/s/0/0-2", "w/s/0/3-5");
        writer.flush(true);
        assertThat(destination.contents().get(BatchId.of(SINK, P0, SequenceRange.of(6, 6))))
                .hasSize(3);

        writer = newWriter(new BatchLimit(1_000, 1));
        write("1", 0);
        write("1", 1);
        assertThat(sentIds()).endsWith("w/s/1/0-0");
    }

    /** A writer into files whose encoder can never encode the element of record 2. */
    private BatchingWriter<String> intoFilesRefusingRecord2(
            Path dir, RecordingDestination<DeadLetter<String>> deadLetters) {
        return writer(
                SINK,
                checkpoints,
                FileDestination.create(
                        dir,
                        line -> {
                            if (line.endsWith(":2")) {
                                throw new IllegalArgumentException("no encoding for " + line);
                            }
                            return line.getBytes(StandardCharsets.UTF_8);
                        }),
                new BatchLimit(100, Long.MAX_VALUE),
                deadLetters);
    }

    /** Records 0 to {@code count - 1} of partition 0, replaying {@code replaying} if given. */
    private static void writeRecords(
            BatchingWriter<String> writer, int count, PendingCheckpoint replaying) {
        for (long sequence = 0; sequence < count; sequence++) {
            writer.write(
                    new Traced<>(new Origin("s", "0", sequence, replaying, 0), "0:" + sequence),
                    null);
        }
    }

    /**
     * Proves design.md row F21: an element the destination can never encode stops the job without
     * restarts, naming stream, partition and sequence; the batch stays pending.
     */
    @Test
    void anElementTheDestinationCannotEncodeIsNamedAndStopsWithoutRestarts(@TempDir Path dir) {
        BatchingWriter<String> files = intoFilesRefusingRecord2(dir, null);
        writeRecords(files, 4, null);
        assertThatThrownBy(() -> files.flush(false))
                .isInstanceOf(SuppressRestartsException.class)
                .hasStackTraceContaining("the destination refuses the element of record s/0#2")
                .hasStackTraceContaining("element 2 of batch w/s/0/0-3")
                .hasStackTraceContaining("no encoding for 0:2");
        assertThat(checkpoints.load(P0).pending()).as("left for a re-send").isNotNull();
    }

    /**
     * Proves design.md row F21 with a dead-letter destination: the element goes there once, with
     * its origin and the error, the batch goes on without it, and a replay after a failure forms
     * the same dead letter and the same batch, which both destinations drop as repeats.
     */
    @Test
    void anElementTheDestinationCannotEncodeGoesToTheDeadLettersOnce(@TempDir Path dir)
            throws Exception {
        RecordingDestination<DeadLetter<String>> deadLetters = new RecordingDestination<>();
        BatchingWriter<String> files = intoFilesRefusingRecord2(dir, deadLetters);
        writeRecords(files, 4, null);
        files.flush(false);
        assertThat(Files.readAllLines(dir.resolve("w/s/0/0-3.batch")))
                .containsExactly("0:0", "0:1", "0:3");
        assertThat(deadLetters.sends()).hasSize(1);
        RecordingDestination.Send letter = deadLetters.sends().get(0);
        assertThat(letter.id().value()).isEqualTo("w/dead-letters/s/0/2-2.0");
        assertThat(letter.elements())
                .singleElement()
                .isEqualTo(
                        new DeadLetter<>(
                                "s",
                                "0",
                                2,
                                "0:2",
                                "java.lang.IllegalArgumentException: no encoding for 0:2"));

        // The job fails before the commit; the replay forms the same batch and dead letter.
        PendingCheckpoint pending = checkpoints.load(P0).pending();
        BatchingWriter<String> restarted = intoFilesRefusingRecord2(dir, deadLetters);
        writeRecords(restarted, 4, pending);
        restarted.flush(true);
        // The files hold the batch, so the re-send is dropped before anything is encoded; had the
        // job died between the two sends, the dead letter would come again and be dropped.
        assertThat(deadLetters.sends())
                .extracting(RecordingDestination.Send::outcome)
                .containsExactly(SendOutcome.APPLIED);
        assertThat(Files.readAllLines(dir.resolve("w/s/0/0-3.batch")))
                .containsExactly("0:0", "0:1", "0:3");
        assertThat(checkpoints.load(P0).committed()).isEqualTo(3);
    }

    /**
     * Proves design.md row F21: the job dies after the dead letter went out and before the batch
     * without it did; the replay sends the dead letter again (dropped as a repeat) and the batch.
     */
    @Test
    void aFailureBetweenTheDeadLetterAndTheBatchRepeatsNeither() {
        RecordingDestination<DeadLetter<String>> deadLetters = new RecordingDestination<>();
        IdempotentDestination<String> refusing =
                batch -> {
                    int poison = batch.elements().indexOf("0:1");
                    if (poison >= 0) {
                        throw new UnencodableElementException(
                                batch.id(), poison, new IllegalStateException("poison"));
                    }
                    return destination.send(batch);
                };
        Supplier<BatchingWriter<String>> newWriter =
                () ->
                        writer(
                                SINK,
                                checkpoints,
                                refusing,
                                new BatchLimit(100, Long.MAX_VALUE),
                                deadLetters);
        BatchingWriter<String> first = newWriter.get();
        writeRecords(first, 3, null);
        destination.failNextSend(RecordingDestination.Fault.BEFORE_WRITE);
        assertThatThrownBy(() -> first.flush(false)).hasStackTraceContaining("injected failure");

        PendingCheckpoint pending = checkpoints.load(P0).pending();
        BatchingWriter<String> second = newWriter.get();
        writeRecords(second, 3, pending);
        second.flush(true);
        assertThat(deadLetters.sends())
                .extracting(RecordingDestination.Send::outcome)
                .containsExactly(SendOutcome.APPLIED, SendOutcome.REPEAT_DROPPED);
        assertThat(destination.contents().get(BatchId.of(SINK, P0, SequenceRange.of(0, 2))))
                .containsExactly("0:0", "0:2");
        assertThat(checkpoints.load(P0)).isEqualTo(new PartitionCheckpoint(2, 2, null));
    }

    /** Proves design.md row F18: a clean stop leaves nothing pending that was delivered. */
    @Test
    void aCleanStopCommitsWhatWasDelivered() throws Exception {
        write("0", 0);
        writer.flush(false);
        assertThat(checkpoints.load(P0).pending()).as("delivered, commit deferred").isNotNull();
        writer.close();
        assertThat(checkpoints.load(P0)).isEqualTo(new PartitionCheckpoint(1, 0, null));
    }

    /** Proves design.md row F11: sinks of other names on one store keep their own checkpoints. */
    @Test
    void sinksOfOtherNamesOnOneStoreNeitherFenceNorSkipEachOther() {
        BatchingWriter<String> other =
                writer(
                        "other",
                        SinkScopedStore.of("other", store),
                        destination,
                        new BatchLimit(100, Long.MAX_VALUE),
                        null);
        write("0", 0);
        writer.flush(false);
        other.write(new Traced<>(new Origin("s", "0", 0, null, 0), "0:0"), null);
        other.flush(false);
        write("0", 1);
        writer.flush(true);
        other.flush(true);
        assertThat(sentIds()).containsExactly("w/s/0/0-0", "other/s/0/0-0", "w/s/0/1-1");
        assertThat(checkpoints.load(P0).committed()).isEqualTo(1);
        assertThat(SinkScopedStore.of("other", store).load(P0).committed()).isZero();
    }

    /** Proves design.md row F14: a fenced writer fails its job without restarts. */
    @Test
    void aWriterFencedByANewerOwnerFailsWithoutRestarts() {
        write("0", 0);
        writer.flush(false);
        checkpoints.acquire(P0); // another job, or a sink of the same name, takes P0 over
        write("0", 1);
        assertThatThrownBy(() -> writer.flush(false))
                .isInstanceOf(SuppressRestartsException.class)
                .hasStackTraceContaining("Sink 'w' lost partition s/0 to a newer owner (epoch 2,")
                .hasStackTraceContaining("Give each sink a unique name");
    }

    /** Proves design.md row F11: an identity too long for the store is refused before a mark. */
    @Test
    void identitiesThatCannotBeHeldAreRefusedBeforeAnythingIsMarked() {
        String longStream = "s".repeat(500);
        assertThatThrownBy(
                        () ->
                                writer.write(
                                        new Traced<>(new Origin(longStream, "0", 0, null, 0), "x"),
                                        null))
                .isInstanceOf(SuppressRestartsException.class)
                .hasStackTraceContaining("Sink 'w' cannot deliver partition " + longStream + "/0")
                .hasStackTraceContaining("A batch id has 1 to 512 characters");
        assertThat(store.acquisitions).isZero();
        assertThat(store.writes).isEmpty();
    }

    /** Proves design.md row F11: a checkpoint left by a sink without a name is not ignored. */
    @Test
    void aCheckpointOfAnUnnamedSinkIsNotSilentlyIgnored() {
        long epoch = store.acquire(P0);
        store.markPending(
                P0,
                epoch,
                new PendingCheckpoint(
                        SequenceRange.of(0, 4), BatchId.of(P0, SequenceRange.of(0, 4)), null));
        store.commit(P0, epoch, SequenceRange.of(0, 4));
        write("0", 5); // taken over, and checked, at the next delivery
        assertThatThrownBy(() -> writer.flush(false))
                .isInstanceOf(SuppressRestartsException.class)
                .hasStackTraceContaining(
                        "The checkpoint store holds a checkpoint of s/0 written by a sink without"
                                + " a name")
                .hasStackTraceContaining("committed 4");
    }

    /**
     * Proves design.md row F11: a checkpoint that a sink without a name left under a Kafka topic's
     * plain name (earlier versions named partitions without the topic's id) is not ignored.
     */
    @Test
    void aCheckpointOfAnUnnamedSinkUnderTheTopicsPlainNameIsNotSilentlyIgnored() {
        StreamPartition plain = new StreamPartition("t", "0");
        long epoch = store.acquire(plain);
        store.markPending(
                plain,
                epoch,
                new PendingCheckpoint(
                        SequenceRange.of(0, 4), BatchId.of(plain, SequenceRange.of(0, 4)), null));
        writer.write(new Traced<>(new Origin("t@0f1e", "0", 5, null, 0), "t:5"), null);
        writer.write(new Traced<>(new Origin("t@0f1e", "1", 0, null, 0), "t:0"), null);
        assertThatThrownBy(() -> writer.flush(false))
                .isInstanceOf(SuppressRestartsException.class)
                .hasStackTraceContaining(
                        "The checkpoint store holds a checkpoint of t@0f1e/0 written by a sink"
                                + " without a name")
                .hasStackTraceContaining("pending");
        assertThat(store.writes).as("nothing marked").hasSize(1);
    }

    @Test
    void refusesRecordsOfAPartitionOutOfOrder() {
        write("0", 5);
        write("0", 4); // taken over, and checked, at the next delivery
        assertThatThrownBy(() -> writer.flush(false))
                .hasMessageContaining("out of order (sequence 4 after 5)");
        assertThat(checkpoints.load(P0).pending()).as("nothing marked").isNull();

        writer = newWriter();
        write("0", 5);
        writer.flush(false);
        assertThatThrownBy(() -> write("0", 5))
                .hasMessageContaining("out of order (sequence 5 after 5)");
    }
}
