package io.idempotent.flink.source.reader;

import io.idempotent.flink.checkpoint.PendingCheckpoint;
import io.idempotent.flink.stream.PartitionRecord;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;

/**
 * Records of one partition fetched together and emitted together. A replayed pending range is
 * always one chunk, so that no checkpoint barrier can fall inside it and the sink sees the whole
 * range in one batch.
 */
@Internal
record Chunk(List<PartitionRecord> records, @Nullable PendingCheckpoint replaying) {}
