package org.trainproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.ExitCode;

/**
 * An auditor seed that put the genuine scratch fixture's W1 p-value in its 1-in-2,000 tail (found by
 * trying 2,000 seeds): with the verdict's combination at α = 1e-3 this honest, signed run was
 * INCONSISTENT (exit 6), reproducibly, for anyone given the seed. The verdict now uses W1's own level
 * (1e-6), and W1 tests the fixture's tensors (at most 16,384 elements) whole, so its p no longer
 * depends on the seed at all.
 */
class AuditorSeedFalseAccusationTest {
    @TempDir
    Path dir;

    private double w1p(Path fx, String seed, int expectExit) throws Exception {
        Path json = dir.resolve("v" + seed + ".json");
        CliRun v = CliRun.run("verify", fx.resolve("ledger.db"), "--key", fx.resolve("signer.pub"), "--artifacts", fx,
                "--seed", seed, "--json", json, "--quiet");
        assertEquals(expectExit, v.code(), v.toString());
        JsonNode report = new ObjectMapper().readTree(json.toFile());
        for (JsonNode c : report.get("checks")) if (c.get("id").asText().equals("W1")) return c.get("p_value").asDouble();
        throw new AssertionError("no W1 in " + report);
    }

    @Test
    void genuineFixture_seedThatAccusedIt_notAccused_w1IndependentOfTheSeed() throws Exception {
        Path fx = Path.of("fixtures", "scratch");
        double tail = w1p(fx, "13644437", ExitCode.OK);
        double other = w1p(fx, "1", ExitCode.OK);
        assertEquals(other, tail, "W1 p with seed 13644437 " + tail + ", with seed 1 " + other);
        assertTrue(tail > 1e-3, "W1 p " + tail);
    }
}
