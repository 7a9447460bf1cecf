package org.trainproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.trainproof.ledger.Ledger;

/** What the real multi-process torch tests share: running their script, and checking a folded entry against torch. */
final class TorchRuns {
    private TorchRuns() {}

    /** Runs the process (stdout and stderr merged), echoes its output, and requires exit 0 within 10 minutes. */
    static String runOk(ProcessBuilder pb, String name) throws IOException, InterruptedException {
        pb.environment().put("OMP_NUM_THREADS", "1");
        Process p = pb.redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(600, TimeUnit.SECONDS), name + " timed out:\n" + log);
        System.out.print(log);
        assertEquals(0, p.exitValue(), log);
        return log;
    }

    /** The manifest of the one checkpoint entry (entry 1) of a ledger holding genesis and that entry. */
    static JsonNode onlyCheckpointManifest(Path db) {
        try (Ledger l = Ledger.openReadOnly(db)) {
            assertEquals(2, l.size());
            return l.readEntry(1).body().path("checkpoint").path("manifests").get(0).path("manifest");
        }
    }

    /** The folded statistics of tensor {@code n} against torch's float64 ones: count, min, max exactly; mean, l2 to 1e-9. */
    static void assertStatsMatchTorch(String n, JsonNode s, JsonNode r) {
        assertEquals(r.path("count").asLong(), s.path("count").asLong(), n);
        assertEquals(r.path("min").asDouble(), s.path("min").asDouble(), 0.0, n + " min");
        assertEquals(r.path("max").asDouble(), s.path("max").asDouble(), 0.0, n + " max");
        assertEquals(r.path("mean").asDouble(), s.path("mean").asDouble(), 1e-12 + 1e-9 * Math.abs(r.path("mean").asDouble()), n + " mean");
        assertEquals(r.path("l2").asDouble(), s.path("l2").asDouble(), 1e-9 * r.path("l2").asDouble(), n + " l2");
    }
}
