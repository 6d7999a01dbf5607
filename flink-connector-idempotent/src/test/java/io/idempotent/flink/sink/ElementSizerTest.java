package io.idempotent.flink.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.checkpoint.PendingCheckpoint;
import io.idempotent.flink.origin.Origin;
import io.idempotent.flink.origin.Traced;
import io.idempotent.flink.origin.TracedSerializer;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import java.io.IOException;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * The size the byte limit counts is what Flink's serializer writes, byte for byte, also where the
 * sizer counts without writing (strings, origins): every kind of character, every length class of
 * the length's encoding, origins with and without a replay.
 */
class ElementSizerTest {

    private static final TracedSerializer<String> TRACED_STRINGS =
            new TracedSerializer<>(StringSerializer.INSTANCE);

    @Property(tries = 500)
    void aStringCountsWhatItsSerializerWrites(@ForAll("texts") String text) throws IOException {
        assertThat(new ElementSizer<>(StringSerializer.INSTANCE).sizeOf(text))
                .isEqualTo(serialized(StringSerializer.INSTANCE, text));
    }

    @Property(tries = 500)
    void aTracedElementCountsWhatItsSerializerWrites(
            @ForAll("origins") Origin origin, @ForAll("texts") String text) throws IOException {
        Traced<String> element = new Traced<>(origin, text);
        assertThat(new ElementSizer<>(TRACED_STRINGS).sizeOf(element))
                .isEqualTo(serialized(TRACED_STRINGS, element));
    }

    /**
     * One sizer, strings of more than a chunk of characters and of fewer, one after another: the
     * chunks' boundaries and what a longer string left in the chunk count nothing.
     */
    @Property(tries = 100)
    void stringsOfManyChunksAfterOneAnotherCountWhatTheirSerializerWrites(
            @ForAll("longTexts") List<String> texts) throws IOException {
        ElementSizer<String> sizer = new ElementSizer<>(StringSerializer.INSTANCE);
        for (String text : texts) {
            assertThat(sizer.sizeOf(text))
                    .as("a string of %d characters", text.length())
                    .isEqualTo(serialized(StringSerializer.INSTANCE, text));
        }
    }

    /** One sizer, many elements: what it keeps of one origin's size never applies to another. */
    @Property(tries = 200)
    void elementsAfterOneAnotherCountWhatTheirSerializerWrites(@ForAll("runs") List<Origin> origins)
            throws IOException {
        ElementSizer<Traced<String>> sizer = new ElementSizer<>(TRACED_STRINGS);
        for (Origin origin : origins) {
            Traced<String> element = new Traced<>(origin, "x");
            assertThat(sizer.sizeOf(element)).isEqualTo(serialized(TRACED_STRINGS, element));
        }
    }

    @Example
    void otherValuesAreSerializedToBeCounted() throws IOException {
        Origin origin = new Origin("s", "0", 7, null, 0);
        TracedSerializer<byte[]> bytes =
                new TracedSerializer<>(BytePrimitiveArraySerializer.INSTANCE);
        Traced<byte[]> element = new Traced<>(origin, new byte[300]);
        assertThat(new ElementSizer<>(bytes).sizeOf(element)).isEqualTo(serialized(bytes, element));
        assertThat(new ElementSizer<>(LongSerializer.INSTANCE).sizeOf(5L)).isEqualTo(8);
    }

    @Example
    void theLengthsEncodingGrowsAtEachSevenBits() throws IOException {
        ElementSizer<String> sizer = new ElementSizer<>(StringSerializer.INSTANCE);
        for (int length : List.of(0, 126, 127, 128, 16_382, 16_383, 16_384, 2_097_150, 2_097_151)) {
            String text = "a".repeat(length);
            assertThat(sizer.sizeOf(text))
                    .as("length %d", length)
                    .isEqualTo(serialized(StringSerializer.INSTANCE, text));
        }
        assertThat(sizer.sizeOf(null)).isEqualTo(serialized(StringSerializer.INSTANCE, null));
    }

    @Provide
    Arbitrary<String> texts() {
        return texts(0, 400);
    }

    @Provide
    Arbitrary<List<String>> longTexts() {
        return Arbitraries.oneOf(
                        texts(0, 40), texts(ElementSizer.CHUNK - 2, 3 * ElementSizer.CHUNK + 2))
                .list()
                .ofMinSize(1)
                .ofMaxSize(4);
    }

    private static Arbitrary<String> texts(int minLength, int maxLength) {
        Arbitrary<Character> any =
                Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(6, Arbitraries.chars().range((char) 0, (char) 0x7f)),
                        net.jqwik.api.Tuple.of(
                                2, Arbitraries.chars().range((char) 0x80, (char) 0x7ff)),
                        net.jqwik.api.Tuple.of(
                                2, Arbitraries.chars().range((char) 0x800, (char) 0x3fff)),
                        net.jqwik.api.Tuple.of(
                                2, Arbitraries.chars().range((char) 0x4000, (char) 0xffff)));
        return any.list()
                .ofMinSize(minLength)
                .ofMaxSize(maxLength)
                .map(
                        chars -> {
                            StringBuilder text = new StringBuilder(chars.size());
                            chars.forEach(text::append);
                            return text.toString();
                        });
    }

    @Provide
    Arbitrary<Origin> origins() {
        Arbitrary<String> names = texts().filter(name -> !name.isEmpty() && name.length() < 60);
        Arbitrary<PendingCheckpoint> replaying =
                Combinators.combine(
                                Arbitraries.longs().between(0, Long.MAX_VALUE / 2),
                                Arbitraries.integers().between(0, 1_000),
                                texts().injectNull(0.5))
                        .as(
                                (from, extra, location) ->
                                        new PendingCheckpoint(
                                                SequenceRange.of(from, from + extra),
                                                BatchId.of(
                                                        "sink",
                                                        new StreamPartition("s", "0"),
                                                        SequenceRange.of(from, from + extra)),
                                                location))
                        .injectNull(0.5);
        return Combinators.combine(
                        names,
                        names,
                        Arbitraries.longs().greaterOrEqual(0),
                        replaying,
                        Arbitraries.integers().between(0, 512))
                .as(Origin::new);
    }

    /** Origins of a few streams and partitions, some of them replaying, one after another. */
    @Provide
    Arbitrary<List<Origin>> runs() {
        Arbitrary<String> names = Arbitraries.of("s", "s@5f1c", "sé", "0", "1", "10", "ü");
        return Combinators.combine(
                        names,
                        names,
                        Arbitraries.longs().greaterOrEqual(0),
                        origins().map(Origin::replaying))
                .as(
                        (stream, partition, sequence, replaying) ->
                                new Origin(
                                        new String(stream), // equal names, other instances
                                        partition,
                                        sequence,
                                        replaying,
                                        0))
                .list()
                .ofMaxSize(50);
    }

    private static <T> long serialized(TypeSerializer<T> serializer, T element) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(element, out);
        return out.length();
    }
}
