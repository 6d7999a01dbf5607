package io.idempotent.flink.storage;

import org.apache.flink.annotation.PublicEvolving;

/** How far a write must have gone before a store or the local stream acknowledges it. */
@PublicEvolving
public enum WriteDurability {
    /**
     * The default: a write is acknowledged once it is on disk (fsync'd write-ahead log, or
     * PostgreSQL's {@code synchronous_commit = on}). Survives a crash of the machine.
     */
    SYNCED,
    /**
     * A write is acknowledged once the storage process has it. Survives a crash of this process but
     * may lose the last writes when the machine or the database server crashes. After such a loss
     * the protocol re-sends at most what was pending again, and destinations drop the repeats; but
     * a lost <em>commit</em> of the local stream's appends loses those records.
     */
    RELAXED
}
