package io.idempotent.flink.tools;

import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.local.LocalStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "append",
        description = "Appends records to one partition: the lines of a file, or generated ones.")
final class AppendCommand implements Callable<Integer> {

    private static final int CHUNK = 1_000;

    @Option(names = "--stream", required = true, description = "The stream's directory.")
    Path stream;

    @Option(names = "--partition", required = true, description = "The partition, e.g. 0.")
    String partition;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--file", description = "Append each line of this file as one record.")
        Path file;

        @Option(names = "--generate", description = "Append this many generated records.")
        Integer generate;
    }

    @Override
    public Integer call() throws IOException {
        try (LocalStream target = LocalStream.open(stream);
                Stream<String> payloads = payloads(target)) {
            long count = 0;
            SequenceRange last = null;
            List<LocalStream.NewRecord> chunk = new ArrayList<>(CHUNK);
            for (Iterator<String> it = payloads.iterator(); it.hasNext(); ) {
                chunk.add(record(it.next()));
                if (chunk.size() == CHUNK || !it.hasNext()) {
                    last = target.appendAll(partition, chunk);
                    count += chunk.size();
                    chunk.clear();
                }
            }
            System.out.printf(
                    "Appended %d records to partition %s%s.%n",
                    count, partition, last == null ? "" : ", up to sequence " + last.to());
        }
        return 0;
    }

    private Stream<String> payloads(LocalStream target) throws IOException {
        if (source.file != null) {
            return Files.lines(source.file, StandardCharsets.UTF_8);
        }
        long start = target.endSequence(partition);
        return LongStream.range(start, start + source.generate)
                .mapToObj(n -> SampleData.payload(partition, n));
    }

    private static LocalStream.NewRecord record(String payload) {
        return LocalStream.NewRecord.of(
                payload.getBytes(StandardCharsets.UTF_8), System.currentTimeMillis());
    }
}
