package io.idempotent.flink.source;

import org.apache.flink.annotation.Internal;

/**
 * Where the serializer of {@link io.idempotent.flink.origin.Traced} lived up to 0.1.0. Savepoints
 * record serializer snapshots by class name: one taken then (a user's keyed or operator state
 * holding {@code Traced} values) names {@code
 * io.idempotent.flink.source.TracedSerializer$Snapshot}, which this class keeps resolvable as
 * today's snapshot under the old name; it restores {@link
 * io.idempotent.flink.origin.TracedSerializer}, which reads the same bytes. Nothing writes this
 * snapshot any more.
 */
@Internal
@Deprecated
public final class TracedSerializer {

    private TracedSerializer() {}

    /** Version 1 of the origin format, as named before the move. */
    @Deprecated
    public static final class Snapshot<T>
            extends io.idempotent.flink.origin.TracedSerializer.Snapshot<T> {}
}
