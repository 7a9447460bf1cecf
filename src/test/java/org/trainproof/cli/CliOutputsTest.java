package org.trainproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.ExitCode;

/** The output and overwrite policy of docs/cli.md, and the deprecated spellings, on real commands. */
class CliOutputsTest {
    @TempDir
    Path dir;

    Path db, key, pub;

    @BeforeEach
    void ledger() {
        assertEquals(0, CliRun.run("keygen", "--name", "example.com/lab", "--out", dir.resolve("k")).code());
        key = dir.resolve("k.key");
        pub = dir.resolve("k.pub");
        db = dir.resolve("ledger.db");
        assertEquals(0, CliRun.run("init", db, "--key", key, "--origin", "example.com/runs/1").code());
        assertEquals(0, CliRun.run("record", db, "--key", key, "--step", 1, "--event", "hello").code());
    }

    @Test
    void jsonDash_writesOnlyJsonToStdout_andNoFileNamedDash() throws Exception {
        CliRun v = CliRun.run("verify", db, "--key", pub, "--integrity-only", "--json", "-");
        assertEquals(0, v.code(), v.toString());
        var node = new ObjectMapper().readTree(v.out()); // the whole of stdout is one JSON document
        assertEquals("verify", node.get("command").asText());
        assertFalse(Files.exists(Path.of("-")));
        assertFalse(Files.exists(dir.resolve("-")));
        CliRun h = CliRun.run("verify", db, "--key", pub, "--integrity-only", "--report", "-");
        assertEquals(0, h.code(), h.toString());
        assertTrue(h.out().startsWith("<!DOCTYPE html>"), h.out().substring(0, 40));
    }

    @Test
    void twoOutputsOnStdout_usageError() {
        CliRun v = CliRun.run("verify", db, "--json", "-", "--report", "-");
        assertEquals(ExitCode.USAGE, v.code(), v.toString());
    }

    @Test
    void existingFile_refusedWithoutForce_replacedWithForce_everyOutputOption() throws Exception {
        Object[][] commands = {
            {"verify", db, "--key", pub, "--integrity-only", "--json"},
            {"verify", db, "--key", pub, "--integrity-only", "--report"},
            {"log", db, "--json"},
            {"prove", db, "--index", 0, "--out"},
        };
        for (Object[] c : commands) {
            Path f = dir.resolve("existing.out");
            Files.writeString(f, "precious");
            Object[] args = java.util.Arrays.copyOf(c, c.length + 1);
            args[c.length] = f;
            CliRun refused = CliRun.run(args);
            assertEquals(ExitCode.USAGE, refused.code(), c[0] + ": " + refused);
            assertTrue(refused.err().contains("--force"), refused.err());
            assertEquals("precious", Files.readString(f), c[0] + " changed the file it refused");
            Object[] forced = java.util.Arrays.copyOf(args, args.length + 1);
            forced[args.length] = "--force";
            CliRun ok = CliRun.run(forced);
            assertEquals(0, ok.code(), c[0] + ": " + ok);
            assertFalse(Files.readString(f).equals("precious"), c[0] + " did not replace with --force");
            try (var s = Files.list(dir)) {
                assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "temp file left");
            }
        }
    }

    @Test
    void deprecatedSpellings_stillWork_withOneLineOnStderr() throws Exception {
        CliRun bare = CliRun.run("log", db, "--json");
        assertEquals(0, bare.code(), bare.toString());
        assertTrue(bare.out().startsWith("{"), bare.out());
        assertTrue(bare.err().contains("deprecated"), bare.err());

        Path proof = dir.resolve("p.json");
        CliRun o = CliRun.run("prove", db, "--index", 1, "-o", proof);
        assertEquals(0, o.code(), o.toString());
        assertTrue(Files.size(proof) > 0);
        assertTrue(o.err().contains("deprecated") && o.err().contains("--out"), o.err());

        CliRun ok = CliRun.run("prove", db, "--index", 1, "--out", dir.resolve("p2.json"));
        assertEquals("", ok.err());
    }

    @Test
    void watch_ledgerFirst_andOldSpelling() throws Exception {
        Path run = Files.createDirectories(dir.resolve("run"));
        CliRun w = CliRun.run("watch", db, run, "--key", key, "--interval", "0.01", "--polls", "1");
        assertEquals(0, w.code(), w.toString());
        assertEquals("", w.err());
        CliRun old = CliRun.run("watch", run, "--ledger", db, "--key", key, "--interval", "0.01", "--polls", "1");
        assertEquals(0, old.code(), old.toString());
        assertTrue(old.err().contains("deprecated"), old.err());
        assertEquals(ExitCode.USAGE, CliRun.run("watch", db, "--key", key, "--polls", "1").code());
    }
}
