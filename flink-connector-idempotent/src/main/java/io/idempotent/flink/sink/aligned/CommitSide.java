package io.idempotent.flink.sink.aligned;

import io.idempotent.flink.destination.DestinationFactory;
import io.idempotent.flink.sink.DeliveryMetrics;
import java.io.Serializable;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/** The commit side of {@link CheckpointAlignedSink}: its committer and committable serializer. */
final class CommitSide<T> implements Serializable {

    private static final long serialVersionUID = 1L;

    private final TypeInformation<T> elementType;
    private final DestinationFactory<T> destinations;

    CommitSide(TypeInformation<T> elementType, DestinationFactory<T> destinations) {
        this.elementType = elementType;
        this.destinations = destinations;
    }

    Committer<BatchCommittable<T>> createCommitter(CommitterInitContext context) {
        return new BatchCommitter<>(
                destinations.create(), new DeliveryMetrics(context.metricGroup()));
    }

    SimpleVersionedSerializer<BatchCommittable<T>> committableSerializer() {
        return new BatchCommittableSerializer<>(
                elementType.createSerializer(new SerializerConfigImpl()));
    }
}
