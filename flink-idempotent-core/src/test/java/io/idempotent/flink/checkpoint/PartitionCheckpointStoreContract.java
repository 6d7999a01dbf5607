package io.idempotent.flink.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.idempotent.flink.checkpoint.ProtocolSimulation.Action;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The contract every {@link PartitionCheckpointStore} passes: examples of each rule, and a property
 * that runs random operation sequences (with crashes and reopens) against an independent model. The
 * protocol properties in {@link ProtocolProperties} run on the same fixtures.
 */
public abstract class PartitionCheckpointStoreContract {

    static final StreamPartition P0 = new StreamPartition("orders", "0");
    static final StreamPartition P1 = new StreamPartition("orders", "1");
    static final StreamPartition ODD = new StreamPartition("a/b-c d", "x/1-2");

    /** A store under test, empty at first, that can be crashed and reopened. */
    public interface StoreFixture extends AutoCloseable {
        PartitionCheckpointStore store();

        /** Drops the store as a crash would (no clean shutdown where possible) and reopens it. */
        PartitionCheckpointStore crashAndReopen();

        @Override
        void close();
    }

    protected abstract StoreFixture newFixture();

    static PendingCheckpoint pending(StreamPartition partition, long from, long to) {
        SequenceRange range = SequenceRange.of(from, to);
        return new PendingCheckpoint(range, BatchId.of(partition, range), null);
    }

    @Example
    void anUnknownPartitionHasTheInitialCheckpoint() {
        try (StoreFixture fixture = newFixture()) {
            assertThat(fixture.store().load(P0)).isEqualTo(PartitionCheckpoint.INITIAL);
        }
    }

    /** Proves design.md row P7. */
    @Example
    void acquireHandsOutIncreasingEpochsThatFenceOlderOnes() {
        try (StoreFixture fixture = newFixture()) {
            PartitionCheckpointStore store = fixture.store();
            long first = store.acquire(P0);
            long second = store.acquire(P0);
            assertThat(second).isGreaterThan(first);
            assertThat(store.acquire(P1)).isEqualTo(1);

            assertThatThrownBy(() -> store.markPending(P0, first, pending(P0, 0, 9)))
                    .isInstanceOf(FencedException.class)
                    .hasMessageContaining("orders/0")
                    .hasMessageContaining("epoch " + first);
            assertThat(store.load(P0).pending()).isNull();
        }
    }

    @Example
    void markPendingThenCommitAdvancesTheCommittedPosition() {
        try (StoreFixture fixture = newFixture()) {
            PartitionCheckpointStore store = fixture.store();
            long epoch = store.acquire(P0);
            PendingCheckpoint pending =
                    new PendingCheckpoint(
                            SequenceRange.of(0, 9),
                            BatchId.of(P0, SequenceRange.of(0, 9)),
                            "s3://bucket/0-9");
            store.markPending(P0, epoch, pending);
            assertThat(store.load(P0)).isEqualTo(new PartitionCheckpoint(epoch, -1, pending));

            store.commit(P0, epoch, SequenceRange.of(0, 9));
            assertThat(store.load(P0)).isEqualTo(new PartitionCheckpoint(epoch, 9, null));
        }
    }

    /** Proves design.md row F20: an operator's reset, through the owner of an epoch only. */
    @Example
    void aResetSetsTheCommittedPositionAndDropsThePendingRange() {
        try (StoreFixture fixture = newFixture()) {
            PartitionCheckpointStore store = fixture.store();
            long stale = store.acquire(P0);
            store.markPending(P0, stale, pending(P0, 0, 9));
            store.commit(P0, stale, SequenceRange.of(0, 9));
            store.markPending(P0, stale, pending(P0, 10, 12));
            long epoch = store.acquire(P0);
            assertThatThrownBy(
                            () -> store.apply(List.of(CheckpointTransition.reset(P0, stale, -1))))
                    .isInstanceOf(FencedException.class);
            store.apply(List.of(CheckpointTransition.reset(P0, epoch, -1)));
            assertThat(store.load(P0)).isEqualTo(new PartitionCheckpoint(epoch, -1, null));
            store.apply(List.of(CheckpointTransition.reset(P0, epoch, 4)));
            assertThat(store.load(P0)).isEqualTo(new PartitionCheckpoint(epoch, 4, null));
        }
    }

    /**
     * Every checkpoint written is listed with what {@code load} gives, after a crash too; a sink's
     * view lists its own checkpoints under the streams' own names, and no other sink's.
     */
    @Example
    void listsEveryCheckpointItHoldsAndASinkItsOwn() {
        try (StoreFixture fixture = newFixture()) {
            PartitionCheckpointStore store = fixture.store();
            assertThat(store.list()).isEmpty();
            long epoch = store.acquire(P0);
            store.markPending(P0, epoch, pending(P0, 0, 9));
            store.acquire(ODD);
            SinkScopedStore sink = SinkScopedStore.of("billing", store);
            long scoped = sink.acquire(P1);
            sink.markPending(P1, scoped, pending(P1, 3, 4));
            SinkScopedStore.of("audit", store).acquire(P0);

            Map<StreamPartition, PartitionCheckpoint> all = fixture.crashAndReopen().list();
            assertThat(all)
                    .hasSize(4)
                    .containsEntry(P0, new PartitionCheckpoint(epoch, -1, pending(P0, 0, 9)))
                    .containsEntry(ODD, new PartitionCheckpoint(1, -1, null))
                    .containsKey(new StreamPartition("billing/orders", "1"));
            assertThat(SinkScopedStore.of("billing", fixture.store()).list())
                    .containsExactly(
                            Map.entry(P1, new PartitionCheckpoint(scoped, -1, pending(P1, 3, 4))));
        }
    }

    @Example
    void refusesASecondPendingRange() {
        try (StoreFixture fixture = newFixture()) {
            PartitionCheckpointStore store = fixture.store();
            long epoch = store.acquire(P0);
            store.markPending(P0, epoch, pending(P0, 0, 9));
            assertThatThrownBy(() -> store.markPending(P0, epoch, pending(P0, 10, 19)))
                    .isInstanceOf(CheckpointConflictException.class)
                    .hasMessageContaining("orders/0")
                    .hasMessageContaining("[0, 9]");
            assertThat(store.load(P0).pending()).isEqualTo(pending(P0, 0, 9));
        }
    }

    @Example
    void refusesARangeThatOverlapsTheCommittedPosition() {
        try (StoreFixture fixture = newFixture()) {
            PartitionCheckpointStore store = fixture.store();
            long epoch = store.acquire(P0);
            store.markPending(P0, epoch, pending(P0, 0, 9));
            store.commit(P0, epoch, SequenceRange.of(0, 9));
            assertThatThrownBy(() -> store.markPending(P0, epoch, pending(P0, 9, 12)))
                    .isInstanceOf(CheckpointConflictException.class)
                    .hasMessageContaining("committed position 9");
            // Gaps are allowed: the protocol decides where reading resumes.
            store.markPending(P0, epoch, pending(P0, 15, 20));
        }
    }

    @Example
    void refusesACommitThatIsNotThePendingRange() {
        try (StoreFixture fixture = newFixture()) {
            PartitionCheckpointStore store = fixture.store();
            long epoch = store.acquire(P0);
            assertThatThrownBy(() -> store.commit(P0, epoch, SequenceRange.of(0, 9)))
                    .isInstanceOf(CheckpointConflictException.class);
            store.markPending(P0, epoch, pending(P0, 0, 9));
            assertThatThrownBy(() -> store.commit(P0, epoch, SequenceRange.of(0, 8)))
                    .isInstanceOf(CheckpointConflictException.class)
                    .hasMessageContaining("[0, 8]");
            assertThat(store.load(P0).committed()).isEqualTo(-1);
        }
    }

    @Example
    void anEpochThatWasNeverAcquiredIsFenced() {
        try (StoreFixture fixture = newFixture()) {
            assertThatThrownBy(() -> fixture.store().markPending(P0, 1, pending(P0, 0, 1)))
                    .isInstanceOf(FencedException.class);
        }
    }

    @Example
    void appliesSeveralPartitionsAllOrNothing() {
        try (StoreFixture fixture = newFixture()) {
            PartitionCheckpointStore store = fixture.store();
            long e0 = store.acquire(P0);
            long e1 = store.acquire(P1);
            store.apply(
                    List.of(
                            CheckpointTransition.markPending(P0, e0, pending(P0, 0, 4)),
                            CheckpointTransition.markPending(P1, e1, pending(P1, 0, 2))));
            assertThat(store.load(P0).pending()).isEqualTo(pending(P0, 0, 4));
            assertThat(store.load(P1).pending()).isEqualTo(pending(P1, 0, 2));

            // Commit of P0 plus a refused second pending of P1: nothing happens.
            assertThatThrownBy(
                            () ->
                                    store.apply(
                                            List.of(
                                                    CheckpointTransition.commit(
                                                            P0, e0, SequenceRange.of(0, 4)),
                                                    CheckpointTransition.markPending(
                                                            P1, e1, pending(P1, 3, 5)))))
                    .isInstanceOf(CheckpointConflictException.class);
            assertThat(store.load(P0).committed()).isEqualTo(-1);

            // Commit and the next mark of one partition in one write.
            store.apply(
                    List.of(
                            CheckpointTransition.commit(P0, e0, SequenceRange.of(0, 4)),
                            CheckpointTransition.markPending(P0, e0, pending(P0, 5, 9))));
            assertThat(store.load(P0)).isEqualTo(new PartitionCheckpoint(e0, 4, pending(P0, 5, 9)));
        }
    }

    /** Proves design.md row P8. */
    @Example
    void survivesACrashAndKeepsOddNames() {
        try (StoreFixture fixture = newFixture()) {
            PartitionCheckpointStore store = fixture.store();
            long epoch = store.acquire(ODD);
            store.markPending(ODD, epoch, pending(ODD, 3, 7));
            store.commit(ODD, epoch, SequenceRange.of(3, 7));
            store.markPending(ODD, epoch, pending(ODD, 8, 8));

            PartitionCheckpointStore reopened = fixture.crashAndReopen();
            assertThat(reopened.load(ODD))
                    .isEqualTo(new PartitionCheckpoint(epoch, 7, pending(ODD, 8, 8)));
            assertThat(reopened.load(new StreamPartition("a/b-c d", "x")))
                    .isEqualTo(PartitionCheckpoint.INITIAL);
            assertThat(reopened.acquire(ODD)).isEqualTo(epoch + 1);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Random operation sequences against an independent model
    // ---------------------------------------------------------------------------------------------

    /** One store operation; {@code epochLag} 0 uses the current epoch, 1 the one before, … */
    record Op(String kind, int partition, int epochLag, int from, int length) {}

    @Provide
    Arbitrary<Op> ops() {
        return Combinators.combine(
                        Arbitraries.of("acquire", "mark", "mark", "commit", "commit", "crash"),
                        Arbitraries.integers().between(0, 1),
                        Arbitraries.integers().between(0, 2).edgeCases(c -> c.includeOnly(0)),
                        Arbitraries.integers().between(0, 30),
                        Arbitraries.integers().between(1, 5))
                .as(Op::new);
    }

    @Property(tries = 60)
    void behavesLikeTheModel(@ForAll @Size(max = 40) List<@From("ops") Op> ops) {
        try (StoreFixture fixture = newFixture()) {
            PartitionCheckpointStore store = fixture.store();
            Map<StreamPartition, ModelState> model = new HashMap<>();
            for (Op op : ops) {
                StreamPartition partition = op.partition() == 0 ? P0 : P1;
                ModelState state = model.computeIfAbsent(partition, p -> new ModelState());
                long epoch = Math.max(0, state.epoch - op.epochLag());
                switch (op.kind()) {
                    case "acquire":
                        assertThat(store.acquire(partition)).isEqualTo(++state.epoch);
                        break;
                    case "crash":
                        store = fixture.crashAndReopen();
                        break;
                    case "mark":
                        {
                            // Aim near the committed position so that both outcomes happen.
                            long from = Math.max(0, state.committed + 1 + op.from() % 3 - 1);
                            PendingCheckpoint pending =
                                    pending(partition, from, from + op.length() - 1);
                            String expected = state.expectMark(epoch, pending);
                            expectOutcome(
                                    expected,
                                    () -> fixture.store().markPending(partition, epoch, pending));
                            if (expected == null) {
                                state.pending = pending;
                            }
                            break;
                        }
                    default:
                        {
                            SequenceRange range =
                                    state.pending != null && op.from() % 4 != 0
                                            ? state.pending.range()
                                            : SequenceRange.of(op.from(), op.from() + op.length());
                            String expected = state.expectCommit(epoch, range);
                            expectOutcome(
                                    expected,
                                    () -> fixture.store().commit(partition, epoch, range));
                            if (expected == null) {
                                state.committed = range.to();
                                state.pending = null;
                            }
                        }
                }
                assertThat(fixture.store().load(partition))
                        .isEqualTo(
                                new PartitionCheckpoint(
                                        state.epoch, state.committed, state.pending));
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The protocol on this store: exactly once under faults, takeovers, zombies and crashes
    // ---------------------------------------------------------------------------------------------

    @Provide
    Arbitrary<Action> actions() {
        return Combinators.combine(
                        Arbitraries.of(
                                "worker",
                                "assign",
                                "assign",
                                "poll",
                                "poll",
                                "poll",
                                "poll",
                                "fault",
                                "takeover",
                                "append",
                                "crash",
                                "stale"),
                        Arbitraries.integers().between(0, 5),
                        Arbitraries.integers().between(0, 1),
                        Arbitraries.integers().between(0, 11))
                .as(ProtocolSimulation.Action::new);
    }

    /** Proves design.md row P1 to P8. */
    @Property(tries = 60)
    void deliversEveryRecordExactlyOnce(
            @ForAll @IntRange(max = 25) int recordsA,
            @ForAll @IntRange(max = 25) int recordsB,
            @ForAll @Size(max = 40) List<@From("actions") Action> actions) {
        try (StoreFixture fixture = newFixture()) {
            new ProtocolSimulation(fixture, recordsA, recordsB).run(actions);
        }
    }

    private static void expectOutcome(String expectedFailure, Runnable operation) {
        if (expectedFailure == null) {
            operation.run();
        } else if (expectedFailure.equals("fenced")) {
            assertThatThrownBy(operation::run).isInstanceOf(FencedException.class);
        } else {
            assertThatThrownBy(operation::run).isInstanceOf(CheckpointConflictException.class);
        }
    }

    /** The model: written from the rules, independently of {@link CheckpointTransition}. */
    static final class ModelState {
        long epoch;
        long committed = -1;
        PendingCheckpoint pending;

        String expectMark(long writerEpoch, PendingCheckpoint candidate) {
            if (writerEpoch == 0 || writerEpoch != epoch) {
                return "fenced";
            }
            if (pending != null || candidate.range().from() <= committed) {
                return "conflict";
            }
            return null;
        }

        String expectCommit(long writerEpoch, SequenceRange range) {
            if (writerEpoch == 0 || writerEpoch != epoch) {
                return "fenced";
            }
            if (pending == null || !pending.range().equals(range)) {
                return "conflict";
            }
            return null;
        }
    }
}
