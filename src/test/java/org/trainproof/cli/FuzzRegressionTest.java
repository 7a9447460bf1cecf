package org.trainproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.ExitCode;

/** Plain regression tests for what FuzzHarness found (docs/security.md, "Fuzz harness"). */
class FuzzRegressionTest {
    @TempDir
    Path dir;

    @BeforeEach
    void key() {
        assertEquals(0, CliRun.run("keygen", "--name", "example.com/lab", "--out", dir.resolve("k")).code());
    }

    /** Finding 1: a proof bundle whose entry holds an integer beyond 2^53 made verify-proof exit 4 (CanonicalizationException). */
    @Test
    void proofBundle_entryIntegerBeyond2pow53_exit3NotInternalError() throws Exception {
        Path db = dir.resolve("l.db");
        assertEquals(0, CliRun.run("init", db, "--key", dir.resolve("k.key"), "--origin", "example.com/runs/1").code());
        assertEquals(0, CliRun.run("record", db, "--key", dir.resolve("k.key"), "--step", 10, "--event", "e").code());
        Path proof = dir.resolve("p.json");
        assertEquals(0, CliRun.run("prove", db, "--index", 1, "--out", proof).code());
        ObjectMapper m = new ObjectMapper();
        ObjectNode bundle = (ObjectNode) m.readTree(proof.toFile());
        ((ObjectNode) bundle.get("entry").get("body")).put("step", new BigInteger("553295141655066592446606"));
        Files.writeString(proof, m.writeValueAsString(bundle));
        CliRun v = CliRun.run("verify-proof", proof, "--key", dir.resolve("k.pub"));
        assertEquals(ExitCode.BAD_INPUT, v.code(), v.toString());
        assertTrue(v.err().contains("the bundle's entry cannot be a ledger entry"), v.err());
        assertFalse(v.err().contains("internal error") || v.err().contains("Exception"), v.err());
    }

    /** Finding 2: init refused an integer beyond 2^53 in the run-config (after notes, naming $.path) while analyze accepted it. */
    @Test
    void runConfig_integerBeyond2pow53_bothCommandsRefuseAlike() throws Exception {
        Path cfg = dir.resolve("rc.json");
        Files.writeString(cfg, "{\"accelerator_count\": 818109287878221869286390}");
        CliRun init = CliRun.run("init", dir.resolve("x.db"), "--key", dir.resolve("k.key"), "--origin", "example.com/runs/1", "--run-config", cfg);
        CliRun analyze = CliRun.run("analyze", Path.of("fixtures", "scratch", "log.jsonl"), "--run-config", cfg, "--quiet");
        assertEquals(ExitCode.BAD_INPUT, init.code(), init.toString());
        assertEquals(ExitCode.BAD_INPUT, analyze.code(), analyze.toString());
        assertEquals(init.err(), analyze.err());
        assertTrue(init.err().contains(cfg + ": /accelerator_count: an integer beyond 2^53"), init.err());
        assertFalse(Files.exists(dir.resolve("x.db")));
    }

    /** Finding 3: a text-log step of 2^63 or more (Long.parseLong overflow) made metrics exit 4; now that line is skipped, named. */
    @Test
    void textLog_stepBeyond2pow63_lineSkippedWithFinding_restRead() throws Exception {
        Path log = dir.resolve("log.txt");
        Files.writeString(log, "0 train 11.08\n1 train 10.97\n9223372036854775808 train 10.7\n3 train 10.4\n");
        for (String fmt : new String[] {"build-nanogpt", "llmc-main-log", "nanogpt", "modded-nanogpt", "megatron", "hf-console"}) {
            CliRun r = CliRun.run("metrics", log, "--log-format", fmt, "--json", "-");
            assertTrue(r.code() != ExitCode.INTERNAL, fmt + ": " + r);
        }
        CliRun m = CliRun.run("metrics", log, "--log-format", "build-nanogpt", "--json", "-");
        assertEquals(0, m.code(), m.toString());
        assertTrue(m.out().contains("the step or count 9223372036854775808 is 2^63 or more"), m.out());
        assertTrue(m.out().contains("log.txt") && m.out().contains("\"line\" : 3"), m.out());
    }
}
