package io.idempotent.flink.destination;

import org.apache.flink.annotation.PublicEvolving;

/** What a destination did with a batch. */
@PublicEvolving
public enum SendOutcome {
    /** The batch was written. */
    APPLIED,
    /** The destination already had this identity and dropped the repeat. */
    REPEAT_DROPPED
}
