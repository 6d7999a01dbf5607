package io.idempotent.flink.tools;

import io.idempotent.flink.stream.local.LocalStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "create", description = "Creates a local stream, or adds partitions to one.")
final class CreateCommand implements Callable<Integer> {

    @Option(names = "--stream", required = true, description = "The stream's directory.")
    Path stream;

    @Option(names = "--name", defaultValue = "events", description = "The stream's name.")
    String name;

    @Option(
            names = "--partitions",
            defaultValue = "4",
            description = "Partitions of a new stream, or partitions to add with --add.")
    int partitions;

    @Option(names = "--add", description = "Add --partitions partitions to an existing stream.")
    boolean add;

    @Override
    public Integer call() {
        if (add) {
            try (LocalStream existing = LocalStream.open(stream)) {
                int total = existing.addPartitions(partitions);
                System.out.printf("Stream '%s' now has %d partitions.%n", existing.name(), total);
            }
        } else {
            try (LocalStream created = LocalStream.create(stream, name, partitions)) {
                System.out.printf(
                        "Created stream '%s' with %d partitions at %s.%n",
                        created.name(), partitions, created.directory());
            }
        }
        return 0;
    }
}
