package org.trainproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordStepOrderTest {
    @TempDir
    Path dir;

    @Test
    void record_checkpointStepNotAfterLast_exit3NothingAppended() throws Exception {
        assertEquals(0, CliRun.run("keygen", "--name", "example.com/lab", "--out", dir.resolve("k")).code());
        Path key = dir.resolve("k.key");
        Path db = dir.resolve("ledger.db");
        assertEquals(0, CliRun.run("init", db, "--key", key, "--origin", "example.com/runs/1").code());
        Path ck = Files.writeString(dir.resolve("model_50.bin"), "weights at 50");
        CliRun first = CliRun.run("record", db, "--key", key, "--step", 50, "--checkpoint", ck);
        assertEquals(0, first.code(), first.toString());
        String before = CliRun.run("log", db, "--json").out();

        CliRun same = CliRun.run("record", db, "--key", key, "--step", 50, "--checkpoint", ck);
        assertEquals(3, same.code(), same.toString());
        assertTrue(same.err().contains("last checkpoint (step 50)"), same.err());
        CliRun back = CliRun.run("record", db, "--key", key, "--step", 40, "--checkpoint", ck, "--event", "x");
        assertEquals(3, back.code(), back.toString());
        assertEquals(before, CliRun.run("log", db, "--json").out());

        // An event at an earlier step (no checkpoint) is still allowed, and the next larger step records.
        assertEquals(0, CliRun.run("record", db, "--key", key, "--step", 40, "--event", "note").code());
        assertEquals(0, CliRun.run("record", db, "--key", key, "--step", 51, "--checkpoint", ck).code());
        assertEquals(0, CliRun.run("verify", db, "--key", dir.resolve("k.pub"), "--artifacts", dir, "--integrity-only").code());
    }
}
