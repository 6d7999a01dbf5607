package io.idempotent.flink.sink;

import java.io.Serializable;
import org.apache.flink.annotation.PublicEvolving;

/**
 * An element the destination could not encode, with where it comes from and why, as {@link
 * IdempotentSinkBuilder#deadLetters} receives it: exactly once, under an identity derived from its
 * origin, after which its partition goes on.
 *
 * @param stream the stream of the element's source record
 * @param partition the partition of the source record
 * @param sequence the source record's sequence number
 * @param element the element
 * @param error why the destination refuses the element: what its encoder or binder threw, or the
 *     database's or server's refusal (without the element's data)
 */
@PublicEvolving
public record DeadLetter<T>(String stream, String partition, long sequence, T element, String error)
        implements Serializable {}
