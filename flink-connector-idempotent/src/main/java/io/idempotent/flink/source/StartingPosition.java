package io.idempotent.flink.source;

import org.apache.flink.annotation.PublicEvolving;

/** Where the source starts reading a partition when it has no Flink state for it. */
@PublicEvolving
public enum StartingPosition {
    /** From the partition's first record. */
    EARLIEST,
    /**
     * From the partition's end when the job starts: only new records. A partition that appears
     * while the job runs starts at its first record, so that nothing appended to it is skipped.
     */
    LATEST,
    /**
     * From the partition checkpoint store: replay the pending range, if any, exactly and under the
     * same identity, then continue after it; otherwise continue after the committed sequence. How a
     * brand-new job takes over from one that died, without Flink state. Partitions the store does
     * not know start from the earliest record.
     */
    CHECKPOINT_STORE
}
