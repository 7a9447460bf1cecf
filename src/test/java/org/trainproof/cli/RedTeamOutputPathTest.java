package org.trainproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.ExitCode;

/** Issue 20 item 5: bad output paths are bad input (exit 3), one line, nothing left behind. */
class RedTeamOutputPathTest {
    @TempDir
    Path dir;
    Path db;

    @BeforeEach
    void ledger() {
        assertEquals(0, CliRun.run("keygen", "--name", "example.com/lab", "--out", dir.resolve("k")).code());
        db = dir.resolve("l.db");
        assertEquals(0, CliRun.run("init", db, "--key", dir.resolve("k.key"), "--origin", "example.com/runs/1").code());
    }

    private static void assertBadInputOneLine(CliRun r) {
        assertEquals(ExitCode.BAD_INPUT, r.code(), r.toString());
        assertEquals(1, r.err().strip().lines().count(), r.toString());
        assertTrue(r.err().startsWith("trainproof: "), r.toString());
    }

    private List<String> leftovers(Path folder) throws Exception {
        try (Stream<Path> s = Files.walk(folder)) {
            return s.map(Path::toString).filter(n -> n.endsWith(".tmp")).toList();
        }
    }

    @Test
    void proveOut_missingFolder_exit3() throws Exception {
        CliRun r = CliRun.run("prove", db, "--index", 0, "--out", dir.resolve("nope/proof.json"));
        assertBadInputOneLine(r);
        assertTrue(r.err().contains("nope"), r.toString());
    }

    @Test
    void proveOut_unwritableFolder_exit3_noLeftovers() throws Exception {
        Path ro = Files.createDirectories(dir.resolve("ro"));
        Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            Assumptions.assumeFalse(Files.isWritable(ro), "running as a user who can write a read-only folder (root): case not reproducible here");
            CliRun r = CliRun.run("prove", db, "--index", 0, "--out", ro.resolve("proof.json"));
            assertBadInputOneLine(r);
            assertEquals(List.of(), leftovers(ro));
        } finally {
            Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void proveOut_folderIsAFile_exit3_noLeftovers() throws Exception {
        Path f = Files.writeString(dir.resolve("plain"), "x");
        CliRun r = CliRun.run("prove", db, "--index", 0, "--out", f.resolve("proof.json"));
        assertBadInputOneLine(r);
        assertEquals(List.of(), leftovers(dir));
    }

    @Test
    void verifyJson_missingFolder_exit3() throws Exception {
        CliRun r = CliRun.run("verify", db, "--key", dir.resolve("k.pub"), "--json", dir.resolve("nope/v.json"));
        assertBadInputOneLine(r);
    }

    @Test
    void verifyReport_isADirectory_exit3_noTmpLeft() throws Exception {
        Path d = Files.createDirectories(dir.resolve("reportdir"));
        CliRun r = CliRun.run("verify", db, "--key", dir.resolve("k.pub"), "--report", d);
        assertBadInputOneLine(r);
        assertEquals(List.of(), leftovers(dir));
    }
}
