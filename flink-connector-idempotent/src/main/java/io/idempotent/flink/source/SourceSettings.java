package io.idempotent.flink.source;

import io.idempotent.flink.source.reader.ReaderSettings;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.Boundedness;

/**
 * What an {@link IdempotentSource} is built with, besides its stream and store, in one immutable
 * value: where it starts, whether it ends, how often its enumerator looks for new partitions, and
 * its readers' settings.
 */
@Internal
public record SourceSettings(
        StartingPosition startingPosition,
        Boundedness boundedness,
        Duration discoveryInterval,
        ReaderSettings reader)
        implements Serializable {

    public SourceSettings {
        Objects.requireNonNull(startingPosition, "startingPosition");
        Objects.requireNonNull(boundedness, "boundedness");
        Objects.requireNonNull(discoveryInterval, "discoveryInterval");
        Objects.requireNonNull(reader, "reader");
    }
}
