package org.trainproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.ExitCode;
import org.trainproof.ledger.Ledger;

/** Issue 20, careless-user inputs. */
class RedTeamInputTest {
    @TempDir
    Path dir;

    /** Item 8: an empty checkpoint directory was recorded as a checkpoint with no files (exit 0). */
    @Test
    void recordCheckpoint_emptyDirectory_exit3_nothingAppended() throws Exception {
        assertEquals(0, CliRun.run("keygen", "--name", "example.com/lab", "--out", dir.resolve("k")).code());
        Path db = dir.resolve("l.db");
        assertEquals(0, CliRun.run("init", db, "--key", dir.resolve("k.key"), "--origin", "example.com/runs/1").code());
        Path empty = Files.createDirectories(dir.resolve("ckpt-100"));
        CliRun r = CliRun.run("record", db, "--key", dir.resolve("k.key"), "--step", 100, "--checkpoint", empty);
        assertEquals(ExitCode.BAD_INPUT, r.code(), r.toString());
        try (Ledger l = Ledger.openReadOnly(db)) {
            assertEquals(1, l.size());
        }
    }
}
