package io.idempotent.flink.source.enumerator;

import io.idempotent.flink.source.split.PartitionSplit;
import io.idempotent.flink.source.split.PartitionSplitSerializer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/** Serializes the enumerator's state into checkpoints and savepoints. Version 1. */
@Internal
public final class EnumeratorStateSerializer implements SimpleVersionedSerializer<EnumeratorState> {

    public static final int CURRENT_VERSION = 1;

    @Override
    public int getVersion() {
        return CURRENT_VERSION;
    }

    @Override
    public byte[] serialize(EnumeratorState state) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        Set<String> discovered = new TreeSet<>(state.discovered());
        out.writeInt(discovered.size());
        for (String partition : discovered) {
            out.writeUTF(partition);
        }
        out.writeInt(state.unassigned().size());
        for (PartitionSplit split : state.unassigned()) {
            PartitionSplitSerializer.writeSplit(split, out);
        }
        return out.getCopyOfBuffer();
    }

    @Override
    public EnumeratorState deserialize(int version, byte[] bytes) throws IOException {
        if (version != CURRENT_VERSION) {
            throw new IOException(
                    "Cannot read enumerator state of serializer version "
                            + version
                            + "; this version reads "
                            + CURRENT_VERSION
                            + ". Restore with the library version that wrote the savepoint.");
        }
        DataInputDeserializer in = new DataInputDeserializer(bytes);
        Set<String> discovered = new TreeSet<>();
        for (int i = in.readInt(); i > 0; i--) {
            discovered.add(in.readUTF());
        }
        List<PartitionSplit> unassigned = new ArrayList<>();
        for (int i = in.readInt(); i > 0; i--) {
            unassigned.add(PartitionSplitSerializer.readSplit(in));
        }
        if (in.available() > 0) {
            throw new IOException(
                    in.available() + " unexpected trailing bytes in enumerator state");
        }
        return new EnumeratorState(discovered, unassigned);
    }
}
