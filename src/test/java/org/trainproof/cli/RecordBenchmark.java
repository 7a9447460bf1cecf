package org.trainproof.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;
import org.trainproof.ledger.Ledger;
import org.trainproof.ledger.LedgerMetrics;

/**
 * Not a test (no timing in the suite): records a JSONL log of N records (default 1,000,000: 250,000
 * lines of 4 metrics plus a timestamp) into a fresh ledger with {@code record --log}, then appends
 * 1,000 lines and records again, and times reading the records back and verifying. Prints the ledger
 * size. Run with {@code java -cp target/classes:target/test-classes:<deps> org.trainproof.cli.RecordBenchmark [N] [dir]}.
 */
public final class RecordBenchmark {
    public static void main(String[] args) throws IOException {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Path dir = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("record-bench");
        Path log = dir.resolve("bench.jsonl");
        write(log, 0, n / 4, false);
        System.out.printf("log %s: %,d bytes, %,d records%n", log, Files.size(log), n);
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter quiet = new PrintWriter(PrintWriter.nullWriter());
        Path key = dir.resolve("k");
        Path db = dir.resolve("ledger.db");
        check(Cli.run(quiet, out, "keygen", "--name", "example.com/bench", "--out", key.toString()));
        check(Cli.run(quiet, out, "init", db.toString(), "--key", key + ".key", "--origin", "example.com/bench"));
        long t0 = System.nanoTime();
        check(Cli.run(quiet, out, "record", db.toString(), "--key", key + ".key", "--log", log.toString()));
        long t1 = System.nanoTime();
        System.out.printf("record --log (%,d records): %.2f s; ledger %,d bytes (%s)%n", n, (t1 - t0) / 1e9, size(dir), db);
        write(log, n / 4, n / 4 + 1000, true);
        t0 = System.nanoTime();
        check(Cli.run(quiet, out, "record", db.toString(), "--key", key + ".key", "--log", log.toString()));
        t1 = System.nanoTime();
        System.out.printf("record --log again (+4,000 records): %.2f s%n", (t1 - t0) / 1e9);
        t0 = System.nanoTime();
        long records = 0;
        try (Ledger l = Ledger.openReadOnly(db)) {
            for (var s : LedgerMetrics.read(l).values()) records += s.size();
        }
        t1 = System.nanoTime();
        System.out.printf("LedgerMetrics.read: %,d records in %.2f s%n", records, (t1 - t0) / 1e9);
        t0 = System.nanoTime();
        // no run-config and no checkpoints: the analysis is inconclusive (exit 5), the audit must pass
        checkVerify(Cli.run(quiet, out, "verify", db.toString()));
        t1 = System.nanoTime();
        checkVerify(Cli.run(quiet, out, "verify", db.toString(), "--artifacts", dir.toString()));
        long t2 = System.nanoTime();
        System.out.printf("verify: %.2f s; verify --artifacts: %.2f s; ledger %,d bytes%n", (t1 - t0) / 1e9, (t2 - t1) / 1e9, size(dir));
    }

    private static void checkVerify(int code) {
        if (code != 0 && code != org.trainproof.ExitCode.INCONCLUSIVE) throw new IllegalStateException("verify exit " + code);
    }

    private static void check(int code) {
        if (code != 0) throw new IllegalStateException("exit " + code);
    }

    private static long size(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("ledger.db")).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static void write(Path p, int from, int to, boolean append) throws IOException {
        try (BufferedWriter w = append ? Files.newBufferedWriter(p, StandardCharsets.UTF_8, StandardOpenOption.APPEND)
                : Files.newBufferedWriter(p, StandardCharsets.UTF_8)) {
            for (int i = from; i < to; i++) {
                w.write("{\"step\": " + i + ", \"loss\": " + (3.0 + 1.0 / (i + 1)) + ", \"lr\": " + (6e-4 * Math.min(1, i / 700.0))
                        + ", \"grad_norm\": " + (0.5 + (i % 97) / 100.0) + ", \"tokens\": " + (524288L * i)
                        + ", \"_timestamp\": " + (1.7e9 + i * 0.41) + "}\n");
            }
        }
    }
}
