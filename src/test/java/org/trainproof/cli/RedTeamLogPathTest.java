package org.trainproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 20 item 7: log source names are normalised against the ledger's folder. */
class RedTeamLogPathTest {
    @TempDir
    Path dir;
    Path key;

    @BeforeEach
    void keys() {
        assertEquals(0, CliRun.run("keygen", "--name", "example.com/lab", "--out", dir.resolve("k")).code());
        key = dir.resolve("k.key");
    }

    private Path ledger(Path folder) throws Exception {
        Path db = Files.createDirectories(folder).resolve("l.db");
        assertEquals(0, CliRun.run("init", db, "--key", key, "--origin", "example.com/runs/1").code());
        return db;
    }

    private Path log(Path folder) throws Exception {
        Path f = Files.createDirectories(folder).resolve("train.jsonl");
        Files.writeString(f, "{\"step\": 0, \"loss\": 2.5}\n{\"step\": 1, \"loss\": 2.4}\n");
        return f;
    }

    /** The path as a "../.." spelling relative to the working directory, as a user in another folder types it. */
    private static Path dotDot(Path p) {
        Path rel = Path.of("").toAbsolutePath().relativize(p);
        assertTrue(rel.toString().startsWith(".."), rel.toString());
        return rel;
    }

    @Test
    void dotDotLogOutsideTheLedgerFolder_honestVerifyArtifactsPasses() throws Exception {
        Path db = ledger(dir.resolve("ledger"));
        Path f = log(dir.resolve("outside"));
        CliRun r = CliRun.run("record", db, "--key", key, "--log", dotDot(f));
        assertEquals(0, r.code(), r.toString());
        assertTrue(!r.out().contains("log ../"), r.toString());
        CliRun v = CliRun.run("verify", db, "--key", dir.resolve("k.pub"), "--integrity-only", "--artifacts", f.getParent());
        assertEquals(0, v.code(), v.toString());
    }

    @Test
    void sameFileTwoSpellings_recordedOnce_namedRelativeToTheLedger() throws Exception {
        Path db = ledger(dir);
        Path f = log(dir.resolve("run"));
        CliRun a = CliRun.run("record", db, "--key", key, "--log", f);
        assertEquals(0, a.code(), a.toString());
        assertTrue(a.out().contains("log run/train.jsonl"), a.toString());
        CliRun b = CliRun.run("record", db, "--key", key, "--log", dotDot(dir.resolve("run/./sub/../train.jsonl")));
        assertEquals(0, b.code(), b.toString());
        assertTrue(b.out().contains("nothing new to record"), b.toString());
        CliRun v = CliRun.run("verify", db, "--key", dir.resolve("k.pub"), "--integrity-only", "--artifacts", dir);
        assertEquals(0, v.code(), v.toString());
        CliRun v2 = CliRun.run("verify", db, "--key", dir.resolve("k.pub"), "--integrity-only", "--artifacts", dir.resolve("run"));
        assertEquals(0, v2.code(), v2.toString());
    }
}
