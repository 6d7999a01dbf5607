package io.idempotent.flink.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import org.junit.jupiter.api.Test;

class BatchIdTest {

    @Test
    void isDerivedFromStreamPartitionAndRange() {
        BatchId id = BatchId.of(new StreamPartition("orders", "3"), SequenceRange.of(10, 19));
        assertThat(id.value()).isEqualTo("orders/3/10-19");
        assertThat(id)
                .isEqualTo(
                        BatchId.of(new StreamPartition("orders", "3"), SequenceRange.of(10, 19)));
        assertThat(BatchId.parse(id.value())).isEqualTo(id);
    }

    /** Proves design.md row F11: two sinks cutting the same range send different identities. */
    @Test
    void aSinksNameIsTheFirstSegment() {
        StreamPartition partition = new StreamPartition("orders", "3");
        SequenceRange range = SequenceRange.of(10, 19);
        assertThat(BatchId.of("orders-db", partition, range).value())
                .isEqualTo("orders-db/orders/3/10-19");
        assertThat(BatchId.of("a", partition, range))
                .isNotEqualTo(BatchId.of("b", partition, range))
                .isNotEqualTo(BatchId.of(partition, range));
    }

    @Test
    void namesWithSeparatorsCannotCollide() {
        BatchId first = BatchId.of(new StreamPartition("a/b", "c"), SequenceRange.of(1, 2));
        BatchId second = BatchId.of(new StreamPartition("a", "b/c"), SequenceRange.of(1, 2));
        assertThat(first).isNotEqualTo(second);
        assertThat(BatchId.of(new StreamPartition("a b", "ü"), SequenceRange.of(0, 0)).value())
                .isEqualTo("a%20b/%C3%BC/0-0");
    }

    /** Identities are durable (pending in stores, dropped as repeats): their text never changes. */
    @Test
    void namesAreEncodedAsAlwaysAgainAndAgain() {
        SequenceRange range = SequenceRange.of(5, 6);
        for (int i = 0; i < 2; i++) {
            assertThat(BatchId.of("k.n-1_x", new StreamPartition("s@1f*", "p+q~"), range).value())
                    .isEqualTo("k.n-1_x/s%401f*/p%2Bq%7E/5-6");
            assertThat(BatchId.of(new StreamPartition("AZaz09.-*_", "7"), range).value())
                    .isEqualTo("AZaz09.-*_/7/5-6");
        }
    }

    @Test
    void parseRejectsWhatCannotTravelInAHeader() {
        assertThatThrownBy(() -> BatchId.parse("a b"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("character code 32 at 1");
        assertThatThrownBy(() -> BatchId.parse("")).isInstanceOf(IllegalArgumentException.class);
    }
}
