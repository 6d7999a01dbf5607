package io.idempotent.flink.sink;

import io.idempotent.flink.checkpoint.CheckpointStoreFactory;
import io.idempotent.flink.checkpoint.PartitionCheckpointStore;
import io.idempotent.flink.destination.DestinationFactory;
import io.idempotent.flink.sink.committer.BatchCommittable;
import io.idempotent.flink.sink.committer.BatchCommittableSerializer;
import io.idempotent.flink.sink.committer.BatchCommitter;
import io.idempotent.flink.sink.committer.CommitterMetrics;
import java.io.Serializable;
import javax.annotation.Nullable;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/** What both sinks share: the committer and the committable serializer. */
final class CommitSide<T> implements Serializable {

    private static final long serialVersionUID = 1L;

    private final TypeInformation<T> elementType;
    private final DestinationFactory<T> destinations;
    @Nullable private final CheckpointStoreFactory stores;

    CommitSide(
            TypeInformation<T> elementType,
            DestinationFactory<T> destinations,
            @Nullable CheckpointStoreFactory stores) {
        this.elementType = elementType;
        this.destinations = destinations;
        this.stores = stores;
    }

    Committer<BatchCommittable<T>> createCommitter(CommitterInitContext context) {
        PartitionCheckpointStore store = stores == null ? null : stores.open();
        try {
            return new BatchCommitter<>(
                    store, destinations.create(), new CommitterMetrics(context.metricGroup()));
        } catch (RuntimeException e) {
            if (store != null) {
                store.close();
            }
            throw e;
        }
    }

    SimpleVersionedSerializer<BatchCommittable<T>> committableSerializer() {
        return new BatchCommittableSerializer<>(
                elementType.createSerializer(new SerializerConfigImpl()));
    }
}
