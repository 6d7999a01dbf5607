package io.idempotent.flink.util;

import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import org.apache.flink.annotation.Internal;

/** Checks at build time that what travels with a job can travel. */
@Internal
public final class Serializability {

    private Serializability() {}

    /** Throws {@link IllegalStateException} naming {@code what} if it cannot be serialized. */
    public static void requireSerializable(Object object, String what) {
        if (object == null) {
            return;
        }
        try {
            try (ObjectOutputStream out = new ObjectOutputStream(OutputStream.nullOutputStream())) {
                out.writeObject(object);
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException(
                    "The "
                            + what
                            + " must be serializable to travel with the job, but is not: "
                            + e,
                    e);
        }
    }
}
