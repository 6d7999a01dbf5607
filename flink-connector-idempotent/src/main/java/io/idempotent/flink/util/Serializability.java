package io.idempotent.flink.util;

import java.io.IOException;
import org.apache.flink.annotation.Internal;
import org.apache.flink.util.InstantiationUtil;

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
            InstantiationUtil.serializeObject(object);
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
