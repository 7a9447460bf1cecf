package org.trainproof.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The workload whose loaded classes bin/trainproof stores in a static class-data sharing archive
 * ({@code -XX:DumpLoadedClassList}, then {@code -Xshare:dump}; docs/performance.md "Startup"): keygen, init, record of a log
 * chunk, head, record of the log's next line (the path a training job takes at every call), log and verify
 * on a throw-away ledger in a temporary directory, which is deleted; each through {@link Main#execute}.
 * Prints nothing; exit 0, or 4 if a step failed (the launcher then keeps no archive).
 */
public final class CdsTraining {
    private CdsTraining() {}

    public static void main(String[] args) throws IOException {
        Path dir = Files.createTempDirectory("trainproof-cds");
        int failed = 0;
        try {
            PrintWriter nul = new PrintWriter(Writer.nullWriter());
            String k = dir.resolve("k").toString();
            String db = dir.resolve("l.db").toString();
            Path log = dir.resolve("train.jsonl");
            Files.writeString(log, "{\"step\": 1, \"loss\": 2.5, \"lr\": 0.001}\n");
            String[][] steps = {
                {"keygen", "--name", "cds.invalid/lab", "--out", k},
                {"init", db, "--key", k + ".key", "--origin", "cds.invalid/run"},
                {"record", db, "--key", k + ".key", "--log", log.toString()},
                {"head", db},
                {"record", db, "--key", k + ".key", "--log", log.toString()},
                {"log", db},
                {"verify", db, "--key", k + ".pub", "--quiet"},
            };
            for (String[] s : steps) {
                if (s[0].equals("head")) Files.writeString(log, "{\"step\": 2, \"loss\": 2.4, \"lr\": 0.001}\n", java.nio.file.StandardOpenOption.APPEND);
                int code = Main.execute(nul, nul, s);
                if (code != 0 && !s[0].equals("verify")) failed++; // verify of a one-chunk run may report 'not enough evidence'
            }
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.exit(failed == 0 ? 0 : 4);
    }
}
