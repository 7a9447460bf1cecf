package org.trainproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.ExitCode;
import org.trainproof.LibraryMessages;

/**
 * Issue 20 item 11 (rest): a negative or huge step was reported as "no step column" (the message must name
 * the line and the value); LEDGER_FORKED said "expected ROOT, found null" (it must say what was found);
 * sqlite result-code names (SQLITE_...) must not reach a user.
 */
class RedTeamStepAndForkMessagesTest {
    @TempDir
    Path dir;
    Path key;

    @BeforeEach
    void keys() {
        assertEquals(0, CliRun.run("keygen", "--name", "example.com/lab", "--out", dir.resolve("k")).code());
        key = dir.resolve("k.key");
    }

    private CliRun recordLog(String name, String content) throws Exception {
        Path db = dir.resolve(name + ".db");
        assertEquals(0, CliRun.run("init", db, "--key", key, "--origin", "example.com/runs/1").code());
        Path log = dir.resolve(name + ".jsonl");
        Files.writeString(log, content);
        return CliRun.run("record", db, "--key", key, "--step", 1, "--log", log);
    }

    @Test
    void negativeStep_recordNamesLineAndValue_notNoStepColumn() throws Exception {
        CliRun r = recordLog("neg", "{\"step\": 0, \"loss\": 4.1}\n{\"step\": -5, \"loss\": 4.0}\n");
        assertEquals(ExitCode.BAD_INPUT, r.code(), r.toString());
        assertTrue(r.err().contains("neg.jsonl:2"), r.err());
        assertTrue(r.err().contains("step value \"-5\" is not a training step (negative"), r.err());
        assertFalse(r.err().contains("no step column"), r.err());
    }

    @Test
    void hugeStep_recordNamesLineAndValue() throws Exception {
        CliRun r = recordLog("huge", "{\"step\": 1e30, \"loss\": 4.1}\n");
        assertEquals(ExitCode.BAD_INPUT, r.code(), r.toString());
        assertTrue(r.err().contains("huge.jsonl:1"), r.err());
        assertTrue(r.err().contains("step value \"1e30\" is not a training step (larger than the largest step"), r.err());
        assertFalse(r.err().contains("no step column"), r.err());
    }

    @Test
    void badStepInCsvAndKeyValueText_metricsFindingNamesTheValue() throws Exception {
        Path csv = dir.resolve("m.csv");
        Files.writeString(csv, "step,loss\n0,4.1\n-3,4.0\n");
        CliRun m = CliRun.run("metrics", csv, "--json", "-");
        assertEquals(0, m.code(), m.toString());
        assertTrue(m.out().contains("step value \\\"-3\\\" is not a training step (negative"), m.out());
        Path kv = dir.resolve("kv.log");
        Files.writeString(kv, "step=0 loss=4.1\nstep=2.5 loss=4.0\n");
        CliRun k = CliRun.run("metrics", kv, "--log-format", "key-value-text", "--json", "-");
        assertEquals(0, k.code(), k.toString());
        assertTrue(k.out().contains("step value \\\"2.5\\\" is not a training step (not a whole number"), k.out());
    }

    @Test
    void ledgerForked_findingSaysWhatWasFound() throws Exception {
        Path db = dir.resolve("l.db");
        assertEquals(0, CliRun.run("init", db, "--key", key, "--origin", "example.com/runs/1").code());
        assertEquals(0, CliRun.run("record", db, "--key", key, "--step", 1, "--event", "a").code());
        Path fork = dir.resolve("fork.db");
        Files.copy(db, fork);
        assertEquals(0, CliRun.run("record", db, "--key", key, "--step", 2, "--event", "honest").code());
        Path saved = dir.resolve("head.txt");
        Files.writeString(saved, CliRun.run("head", db).out());
        assertEquals(0, CliRun.run("record", fork, "--key", key, "--step", 2, "--event", "forked").code());
        Path json = dir.resolve("v.json");
        CliRun v = CliRun.run("verify", fork, "--key", dir.resolve("k.pub"), "--since", saved, "--integrity-only", "--json", json);
        assertEquals(ExitCode.INTEGRITY, v.code(), v.toString());
        assertFalse(v.out().contains("found null"), v.out());
        JsonNode forked = null;
        for (JsonNode c : new ObjectMapper().readTree(json.toFile()).get("checks")) {
            for (JsonNode f : c.get("findings")) if (f.get("code").asText().equals("LEDGER_FORKED")) forked = f;
        }
        assertTrue(forked != null, v.out());
        assertTrue(forked.get("expected").asText().contains("of the saved checkpoint (size 3)"), forked.toString());
        assertTrue(forked.get("actual").asText().matches("root [0-9a-f]{64} of this ledger's first 3 entries"), forked.toString());
        assertFalse(forked.get("expected").asText().equals(forked.get("actual").asText().replace(" of this ledger's first 3 entries", "")),
                forked.toString());
    }

    @Test
    void sqliteResultCodeNames_removedFromMessages() {
        String raw = "/x/l.db: append: [SQLITE_CONSTRAINT_UNIQUE] A UNIQUE constraint failed (UNIQUE constraint failed: checkpoints.size)";
        String clean = LibraryMessages.clean(raw);
        assertFalse(clean.contains("SQLITE_"), clean);
        assertTrue(clean.contains("A UNIQUE constraint failed"), clean);
    }
}
