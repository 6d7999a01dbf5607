package io.idempotent.flink.origin;

import static org.assertj.core.api.Assertions.assertThat;

import io.idempotent.flink.checkpoint.BatchId;
import io.idempotent.flink.checkpoint.PendingCheckpoint;
import io.idempotent.flink.stream.PartitionRecord;
import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.StreamPartition;
import io.idempotent.flink.testutils.SerializerSnapshots;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Flink's own serializer test suite on our serializers, and the type extraction that uses them. */
class TracedSerializerTest {

    private static final PendingCheckpoint REPLAYING =
            new PendingCheckpoint(
                    SequenceRange.of(5, 9),
                    BatchId.of(new StreamPartition("orders", "3"), SequenceRange.of(5, 9)),
                    "orders/3/5-9.batch");

    @Test
    void flinkExtractsOurTypeInformationInsteadOfKryo() {
        TypeInformation<Traced<String>> strings =
                TypeInformation.of(new TypeHint<Traced<String>>() {});
        assertThat(strings).isEqualTo(new TracedTypeInfoFactory.TracedTypeInfo<>(Types.STRING));
        assertThat(strings.createSerializer(new SerializerConfigImpl()))
                .isEqualTo(new TracedSerializer<>(StringSerializer.INSTANCE));
        TypeInformation<Traced<PartitionRecord>> records =
                TypeInformation.of(new TypeHint<Traced<PartitionRecord>>() {});
        assertThat(((TracedTypeInfoFactory.TracedTypeInfo<PartitionRecord>) records).valueType())
                .isInstanceOf(PartitionRecordTypeInfo.class);
    }

    private static final Traced<String> SAMPLE =
            new Traced<>(new Origin("orders", "3", 7, REPLAYING, 2), "replayed");

    @Test
    void readsTheCommittedVersion1Bytes() throws Exception {
        DataInputDeserializer snapshotBytes =
                new DataInputDeserializer(SerializerSnapshots.read(1, "traced-snapshot.bin"));
        TypeSerializerSnapshot<Traced<String>> snapshot =
                TypeSerializerSnapshot.readVersionedSnapshot(
                        snapshotBytes, getClass().getClassLoader());
        TypeSerializer<Traced<String>> current = new TracedSerializer<>(StringSerializer.INSTANCE);
        assertThat(
                        current.snapshotConfiguration()
                                .resolveSchemaCompatibility(snapshot)
                                .isCompatibleAsIs())
                .isTrue();
        TypeSerializer<Traced<String>> restored = snapshot.restoreSerializer();
        assertThat(
                        restored.deserialize(
                                new DataInputDeserializer(
                                        SerializerSnapshots.read(1, "traced-string.bin"))))
                .isEqualTo(SAMPLE);
        assertThat(
                        PartitionRecordSerializer.INSTANCE.deserialize(
                                new DataInputDeserializer(
                                        SerializerSnapshots.read(1, "partition-record.bin"))))
                .isEqualTo(RECORD);
    }

    private static final PartitionRecord RECORD =
            new PartitionRecord(
                    "7",
                    42,
                    "key".getBytes(StandardCharsets.UTF_8),
                    "{\"n\":1}".getBytes(StandardCharsets.UTF_8),
                    1_700_000_000_000L);

    @Disabled("Regenerates the committed snapshots; only when adding a version.")
    @Test
    void writeSnapshots() throws Exception {
        TracedSerializer<String> serializer = new TracedSerializer<>(StringSerializer.INSTANCE);
        DataOutputSerializer out = new DataOutputSerializer(256);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, serializer.snapshotConfiguration());
        SerializerSnapshots.write(1, "traced-snapshot.bin", out.getCopyOfBuffer());
        out.clear();
        serializer.serialize(SAMPLE, out);
        SerializerSnapshots.write(1, "traced-string.bin", out.getCopyOfBuffer());
        out.clear();
        PartitionRecordSerializer.INSTANCE.serialize(RECORD, out);
        SerializerSnapshots.write(1, "partition-record.bin", out.getCopyOfBuffer());
    }

    @Nested
    class OfStrings extends SerializerTestBase<Traced<String>> {
        @Override
        protected TypeSerializer<Traced<String>> createSerializer() {
            return new TracedSerializer<>(StringSerializer.INSTANCE);
        }

        @Override
        protected int getLength() {
            return -1;
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        protected Class<Traced<String>> getTypeClass() {
            return (Class) Traced.class;
        }

        @Override
        protected boolean allowNullInstances(TypeSerializer<Traced<String>> serializer) {
            return true;
        }

        @Override
        @SuppressWarnings("unchecked")
        protected Traced<String>[] getTestData() {
            return new Traced[] {
                new Traced<>(new Origin("orders", "0", 0, null, 0), "first"),
                new Traced<>(new Origin("orders", "3", 7, REPLAYING, 2), "replayed"),
                new Traced<>(
                        new Origin(
                                "s",
                                "p",
                                Long.MAX_VALUE,
                                new PendingCheckpoint(
                                        SequenceRange.of(1, 2),
                                        BatchId.of(
                                                new StreamPartition("s", "p"),
                                                SequenceRange.of(1, 2)),
                                        null),
                                1),
                        ""),
            };
        }
    }

    @Nested
    class OfRecords extends SerializerTestBase<PartitionRecord> {
        @Override
        protected TypeSerializer<PartitionRecord> createSerializer() {
            return PartitionRecordSerializer.INSTANCE;
        }

        @Override
        protected int getLength() {
            return -1;
        }

        @Override
        protected Class<PartitionRecord> getTypeClass() {
            return PartitionRecord.class;
        }

        @Override
        protected boolean allowNullInstances(TypeSerializer<PartitionRecord> serializer) {
            return true;
        }

        @Override
        protected PartitionRecord[] getTestData() {
            return new PartitionRecord[] {
                new PartitionRecord("0", 0, null, new byte[0], 0),
                new PartitionRecord(
                        "7",
                        42,
                        "key".getBytes(StandardCharsets.UTF_8),
                        "{\"n\":1}".getBytes(StandardCharsets.UTF_8),
                        1_700_000_000_000L),
            };
        }
    }
}
