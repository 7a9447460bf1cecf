package org.trainproof.trainlog;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Not a test (no timing in the suite): writes a JSONL log with N records (default 1,000,000:
 * 250,000 lines of 4 metrics) and times reading it and chunking it. Run with
 * {@code java -cp target/classes:target/test-classes:<deps> org.trainproof.trainlog.ReadBenchmark [N] [dir]}.
 */
public final class ReadBenchmark {
    public static void main(String[] args) throws IOException {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Path dir = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("trainlog-bench");
        Path p = dir.resolve("bench.jsonl");
        try (BufferedWriter w = Files.newBufferedWriter(p, StandardCharsets.UTF_8)) {
            for (int i = 0; i < n / 4; i++) {
                w.write("{\"step\": " + i + ", \"loss\": " + (3.0 + 1.0 / (i + 1)) + ", \"lr\": " + (6e-4 * Math.min(1, i / 700.0))
                        + ", \"grad_norm\": " + (0.5 + (i % 97) / 100.0) + ", \"tokens\": " + (524288L * i)
                        + ", \"_timestamp\": " + (1.7e9 + i * 0.41) + "}\n");
            }
        }
        System.out.printf("file %s: %,d bytes%n", p, Files.size(p));
        time(p);
        // The same number of scalars as TensorBoard events (one simple_value per event).
        Path tb = dir.resolve("events.out.tfevents.1700000000.bench");
        try (java.io.OutputStream o = new java.io.BufferedOutputStream(Files.newOutputStream(tb), 1 << 16)) {
            o.write(Pb.record(Pb.fileVersion()));
            String[] tags = {"train/loss", "train/learning_rate", "train/grad_norm", "train/epoch"};
            for (int i = 0; i < n; i++) o.write(Pb.record(Pb.scalarEvent(1.7e9 + i, i / 4, tags[i % 4], (float) (3.0 + 1.0 / (i + 1)))));
        }
        System.out.printf("file %s: %,d bytes%n", tb, Files.size(tb));
        time(tb);
    }

    private static void time(Path p) throws IOException {
        for (int round = 0; round < 3; round++) {
            long t0 = System.nanoTime();
            LogReadResult r = LogReaders.read(p);
            long t1 = System.nanoTime();
            List<MetricsChunk> chunks = MetricsChunk.build(r, p, 0, 10_000);
            long t2 = System.nanoTime();
            long body = 0;
            com.fasterxml.jackson.databind.ObjectMapper m = new com.fasterxml.jackson.databind.ObjectMapper();
            for (MetricsChunk c : chunks) body += m.writeValueAsBytes(c.toJson()).length;
            long t3 = System.nanoTime();
            Runtime rt = Runtime.getRuntime();
            System.out.printf("round %d: read %,d records in %.2f s; %d chunks (hash) in %.2f s; JSON bodies %,d bytes in %.2f s; heap used %,d MB%n",
                    round, r.records().size(), (t1 - t0) / 1e9, chunks.size(), (t2 - t1) / 1e9, body, (t3 - t2) / 1e9,
                    (rt.totalMemory() - rt.freeMemory()) >> 20);
        }
    }
}
