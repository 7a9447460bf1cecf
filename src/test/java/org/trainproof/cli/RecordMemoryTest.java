package org.trainproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.ledger.Ledger;
import org.trainproof.ledger.LedgerMetrics;

/**
 * {@code record} of a long log holds one transaction's entries in memory, not all it appends: 390,000
 * records (39 metrics entries of 10,000) go into a ledger from a JVM limited to a 48 MB heap. When the
 * entries were kept until the end for printing, the same run ran out of memory after its first
 * transaction (10 entries).
 */
class RecordMemoryTest {
    @TempDir
    Path dir;

    @Test
    void longLog_recordedInA48MbHeap() throws IOException, InterruptedException {
        assertEquals(0, CliRun.run("keygen", "--name", "example.com/lab", "--out", dir.resolve("k")).code());
        Path db = dir.resolve("ledger.db");
        assertEquals(0, CliRun.run("init", db, "--key", dir.resolve("k.key"), "--origin", "example.com/runs/1").code());
        Path log = dir.resolve("train.jsonl");
        try (BufferedWriter w = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            for (int s = 0; s < 130_000; s++) {
                w.write("{\"step\": " + s + ", \"loss\": " + (4.0 * Math.exp(-s / 50_000.0) + (s % 97) * 1e-4) + ", \"lr\": 0.0003, \"grad_norm\": "
                        + (1.0 + (s % 89) * 0.01) + "}\n");
            }
        }
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx48m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), "org.trainproof.cli.Main",
                "record", db.toString(), "--key", dir.resolve("k.key").toString(), "--log", log.toString());
        Path out = dir.resolve("out.txt");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "record did not finish in 120 s");
        String text = Files.readString(out);
        assertEquals(0, p.exitValue(), text);
        assertTrue(text.contains("390000 new records in 39 entries"), text);
        try (Ledger l = Ledger.openReadOnly(db)) {
            assertEquals(390_000, LedgerMetrics.read(l).values().stream().mapToLong(s -> s.size()).sum());
        }
    }
}
