package io.idempotent.flink.checkpoint;

/**
 * The store contract on the in-memory store; a "crash" keeps the object, as a durable store would.
 */
class InMemoryCheckpointStoreTest extends PartitionCheckpointStoreContract {

    @Override
    protected StoreFixture newFixture() {
        InMemoryCheckpointStore store = new InMemoryCheckpointStore();
        return new StoreFixture() {
            @Override
            public PartitionCheckpointStore store() {
                return store;
            }

            @Override
            public PartitionCheckpointStore crashAndReopen() {
                return store;
            }

            @Override
            public void close() {}
        };
    }
}
