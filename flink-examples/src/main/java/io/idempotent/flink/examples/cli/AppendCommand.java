package io.idempotent.flink.examples.cli;

import io.idempotent.flink.stream.SequenceRange;
import io.idempotent.flink.stream.local.LocalStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
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
        try (LocalStream target = LocalStream.open(stream)) {
            long count = 0;
            SequenceRange last = null;
            List<LocalStream.NewRecord> chunk = new ArrayList<>(CHUNK);
            if (source.file != null) {
                try (BufferedReader lines =
                        Files.newBufferedReader(source.file, StandardCharsets.UTF_8)) {
                    for (String line; (line = lines.readLine()) != null; ) {
                        chunk.add(record(line));
                        if (chunk.size() == CHUNK) {
                            last = target.appendAll(partition, chunk);
                            count += chunk.size();
                            chunk.clear();
                        }
                    }
                }
            } else {
                long start = target.endSequence(partition);
                for (long i = 0; i < source.generate; i++) {
                    chunk.add(record(SampleData.payload(partition, start + i)));
                    if (chunk.size() == CHUNK) {
                        last = target.appendAll(partition, chunk);
                        count += chunk.size();
                        chunk.clear();
                    }
                }
            }
            if (!chunk.isEmpty()) {
                last = target.appendAll(partition, chunk);
                count += chunk.size();
            }
            System.out.printf(
                    "Appended %d records to partition %s%s.%n",
                    count, partition, last == null ? "" : ", up to sequence " + last.to());
        }
        return 0;
    }

    private static LocalStream.NewRecord record(String payload) {
        return LocalStream.NewRecord.of(
                payload.getBytes(StandardCharsets.UTF_8), System.currentTimeMillis());
    }
}
