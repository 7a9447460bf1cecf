package org.trainproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.ExitCode;

/**
 * Issue 20 item 10: {@code init} and {@code analyze} read a run-config with one parser and one validation
 * (RunConfigFile). Before, {@code vocab_size: 1e400} was exit 3 in init and exit 6 in analyze, and analyze
 * accepted duplicate keys and comments. Each bad input here is given to both: exit 3 from both, the same
 * error line, naming what is wrong, no library names, no ledger written.
 */
class RunConfigBothCommandsTest {
    @TempDir
    Path dir;

    @BeforeEach
    void key() {
        assertEquals(0, CliRun.run("keygen", "--name", "example.com/lab", "--out", dir.resolve("k")).code());
    }

    private String bothRefuse(String name, String json, String... expected) throws Exception {
        Path cfg = dir.resolve(name + ".json");
        Files.writeString(cfg, json);
        Path db = dir.resolve(name + ".db");
        CliRun init = CliRun.run("init", db, "--key", dir.resolve("k.key"), "--origin", "example.com/runs/1", "--run-config", cfg);
        CliRun analyze = CliRun.run("analyze", Path.of("fixtures", "scratch", "log.jsonl"), "--run-config", cfg, "--quiet");
        assertEquals(ExitCode.BAD_INPUT, init.code(), name + " init: " + init);
        assertEquals(ExitCode.BAD_INPUT, analyze.code(), name + " analyze: " + analyze);
        assertEquals(init.err(), analyze.err(), name + ": the two commands say different things");
        assertFalse(Files.exists(db), name + ": a ledger was written for a refused run-config");
        assertTrue(init.err().startsWith("trainproof: " + cfg + ": "), init.err());
        for (String e : expected) assertTrue(init.err().contains(e), name + ": expected '" + e + "' in " + init.err());
        String low = init.err().toLowerCase(Locale.ROOT);
        for (String lib : new String[] {"jackson", "feature", "allow_", "networknt", "com.", "exception"}) {
            assertFalse(low.contains(lib), name + ": library detail '" + lib + "' in " + init.err());
        }
        return init.err();
    }

    @Test
    void duplicateKey_refusedByBoth() throws Exception {
        bothRefuse("dup", "{\"vocab_size\": 64,\n \"vocab_size\": 65}", "line 2", "\"vocab_size\" appears twice");
        bothRefuse("dupnested", "{\"optimizer\": {\"name\": \"adamw\", \"name\": \"sgd\"}}", "\"name\" appears twice");
    }

    @Test
    void vocabSizeBeyondDouble_refusedByBoth_notInconsistent() throws Exception {
        // analyze used to take 1e400 as an infinite vocabulary and report the run INCONSISTENT (exit 6)
        bothRefuse("huge", "{\"vocab_size\": 1e400}", "/vocab_size", "beyond the range of a double");
        bothRefuse("hugenested", "{\"optimizer\": {\"betas\": [0.9, -1e400]}}", "/optimizer/betas/1", "beyond the range");
    }

    @Test
    void nanAndInfinity_refusedByBoth() throws Exception {
        bothRefuse("nan", "{\"grad_clip\": NaN}", "NaN is not a JSON number");
        bothRefuse("inf", "{\"grad_clip\": -Infinity}", "not a JSON number");
    }

    @Test
    void comments_refusedByBoth() throws Exception {
        bothRefuse("line", "{\n  // the vocabulary\n  \"vocab_size\": 64\n}", "line 2", "JSON has no comments");
        bothRefuse("block", "{\"vocab_size\": 64 /* GPT-2 */}", "JSON has no comments");
    }

    @Test
    void schemaViolationsAndShape_refusedByBoth() throws Exception {
        bothRefuse("type", "{\"vocab_size\": \"64\"}", "/vocab_size: expected integer, found string \"64\"");
        bothRefuse("typo", "{\"vocab_sise\": 64}", "/vocab_sise: unknown key; did you mean /vocab_size?");
        bothRefuse("array", "[1, 2]", "not a JSON object");
        bothRefuse("trailing", "{\"vocab_size\": 64} {}", "not valid JSON");
        bothRefuse("empty", "", "");
    }

    @Test
    void validConfig_acceptedByBoth_unknownKeyNotedByBoth() throws Exception {
        Path cfg = dir.resolve("ok.json");
        Files.writeString(cfg, "{\"vocab_size\": 64, \"experiment_notes\": \"x\"}");
        CliRun init = CliRun.run("init", dir.resolve("ok.db"), "--key", dir.resolve("k.key"), "--origin", "example.com/runs/1", "--run-config", cfg);
        assertEquals(0, init.code(), init.toString());
        CliRun analyze = CliRun.run("analyze", Path.of("fixtures", "scratch", "log.jsonl"), "--run-config", cfg, "--quiet");
        assertTrue(analyze.code() == 0 || analyze.code() == 5, analyze.toString());
        String note = "/experiment_notes: not a key of schemas/run-config.schema.json";
        assertTrue(init.err().contains("trainproof init: note: " + cfg + " " + note), init.err());
        assertTrue(analyze.err().contains("trainproof analyze: note: " + cfg + " " + note), analyze.err());
    }
}
