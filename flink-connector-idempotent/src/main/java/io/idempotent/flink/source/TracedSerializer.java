package io.idempotent.flink.source;

import io.idempotent.flink.origin.Traced;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.CompositeTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Where the serializer of {@link Traced} lived before 0.3. Savepoints record serializer snapshots
 * by class name: one taken before the move (a user's keyed or operator state holding {@code Traced}
 * values) names {@code io.idempotent.flink.source.TracedSerializer$Snapshot}, which this class
 * keeps resolvable; it restores today's {@link io.idempotent.flink.origin.TracedSerializer}, which
 * reads the same bytes. Nothing writes this snapshot any more.
 */
@Internal
@Deprecated
public final class TracedSerializer {

    private TracedSerializer() {}

    /** Version 1 of the origin format, as written before the move. */
    @Deprecated
    public static final class Snapshot<T>
            extends CompositeTypeSerializerSnapshot<
                    Traced<T>, io.idempotent.flink.origin.TracedSerializer<T>> {

        public Snapshot() {}

        @Override
        protected int getCurrentOuterSnapshotVersion() {
            return 1;
        }

        @Override
        protected TypeSerializer<?>[] getNestedSerializers(
                io.idempotent.flink.origin.TracedSerializer<T> outer) {
            return new TypeSerializer<?>[] {outer.valueSerializer()};
        }

        @Override
        @SuppressWarnings("unchecked")
        protected io.idempotent.flink.origin.TracedSerializer<T>
                createOuterSerializerWithNestedSerializers(TypeSerializer<?>[] nested) {
            return new io.idempotent.flink.origin.TracedSerializer<>((TypeSerializer<T>) nested[0]);
        }
    }
}
