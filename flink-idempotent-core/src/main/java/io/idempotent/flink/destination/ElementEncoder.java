package io.idempotent.flink.destination;

import java.io.IOException;
import java.io.Serializable;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Turns an element into the bytes of one line (without the line break): a file line, a JSON line.
 */
@PublicEvolving
@FunctionalInterface
public interface ElementEncoder<T> extends Serializable {

    byte[] encode(T element) throws IOException;
}
