package io.idempotent.flink.origin;

import java.io.Serializable;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.util.function.FunctionWithException;

/**
 * A value together with the {@link Origin} of the source record it was made from. The source emits
 * {@code Traced<PartitionRecord>}; keep the origin through your processing with {@link #map}, and
 * the sink derives each batch's identity from it.
 *
 * <pre>{@code
 * env.fromSource(source, WatermarkStrategy.noWatermarks(), "events")
 *         .map(traced -> traced.map(record -> parse(record.payload())))
 *         .filter(traced -> traced.value().amount() > 0)
 *         .sinkTo(sink);
 * }</pre>
 */
@PublicEvolving
@TypeInfo(TracedTypeInfoFactory.class)
public final class Traced<T> implements Serializable {

    private static final long serialVersionUID = 1L;

    private final Origin origin;
    private final T value;

    public Traced(Origin origin, T value) {
        this.origin = Objects.requireNonNull(origin, "origin");
        this.value = value;
    }

    public Origin origin() {
        return origin;
    }

    public T value() {
        return value;
    }

    /** The same origin with a new value. */
    public <R> Traced<R> withValue(R newValue) {
        return new Traced<>(origin, newValue);
    }

    /** Applies {@code function} to the value and keeps the origin. */
    public <R, E extends Exception> Traced<R> map(FunctionWithException<T, R, E> function)
            throws E {
        return new Traced<>(origin, function.apply(value));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Traced
                && ((Traced<?>) o).origin.equals(origin)
                && Objects.equals(((Traced<?>) o).value, value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(origin, value);
    }

    @Override
    public String toString() {
        return value + " from " + origin;
    }
}
