package org.trainproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.ExitCode;

/**
 * Read-only commands leave a ledger's folder exactly as they found it (names, bytes, no -wal/-shm),
 * also when the folder is read-only (chmod a-w; as root the permission is not enforced, so there the
 * byte-and-listing comparison is what proves it).
 */
class ReadOnlyLedgerTest {
    @TempDir
    Path dir;

    @Test
    void readOnlyCommands_leaveFolderBytesAndListingUnchanged_inReadOnlyFolder() throws Exception {
        Path fixture = Path.of("fixtures", "scratch");
        Path ro = Files.createDirectories(dir.resolve("evidence"));
        try (Stream<Path> s = Files.list(fixture)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (Files.isRegularFile(p) && !n.endsWith("-wal") && !n.endsWith("-shm")) Files.copy(p, ro.resolve(n));
            }
        }
        Path db = ro.resolve("ledger.db");
        Path pub = ro.resolve("signer.pub");
        assertTrue(Files.exists(db));
        Files.copy(Path.of("fixtures", "derived", "step-100.safetensors"), dir.resolve("other.safetensors"));
        Map<String, String> before = snapshot(ro);
        Path out = Files.createDirectories(dir.resolve("out"));
        try {
            Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-xr-xr-x"));
            for (Path p : before.keySet().stream().map(ro::resolve).toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("r--r--r--"));
            }
            Object[][] commands = {
                {"verify", db, "--key", pub, "--artifacts", ro, "--seed", 1, "--json", out.resolve("r.json"), "--quiet"},
                {"verify", db, "--integrity-only"},
                {"log", db},
                {"head", db},
                {"prove", db, "--index", 1},
                {"inspect", ro.resolve("step-100.safetensors")},
                {"compare", db + "@100", dir.resolve("other.safetensors"), "--permutations", 19, "--quiet"},
            };
            for (Object[] c : commands) {
                CliRun r = CliRun.run(c);
                assertTrue(r.code() == ExitCode.OK || r.code() == ExitCode.INCONCLUSIVE || r.code() == ExitCode.INCONSISTENT, c[0] + ": " + r);
                assertEquals(before, snapshot(ro), c[0] + " changed the ledger's folder");
            }
        } finally {
            Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void liveWal_inReadOnlyUse_isReadWithNormalLocking_notIgnored() throws Exception {
        // A ledger whose writer is still open has a -wal: its newest entries must not be ignored.
        CliRun k = CliRun.run("keygen", "--name", "example.com/lab", "--out", dir.resolve("k"));
        assertEquals(0, k.code());
        Path db = dir.resolve("ledger.db");
        assertEquals(0, CliRun.run("init", db, "--key", dir.resolve("k.key"), "--origin", "example.com/r").code());
        try (org.trainproof.ledger.Ledger w = org.trainproof.ledger.Ledger.openForAppend(db,
                org.trainproof.crypto.KeyFiles.readPrivate(dir.resolve("k.key"), null))) {
            assertEquals(0, CliRun.run("record", db, "--key", dir.resolve("k.key"), "--step", 1, "--event", "x").code());
            CliRun log = CliRun.run("log", db, "--json", "-");
            assertEquals(0, log.code(), log.toString());
            assertEquals(2, log.out().lines().count(), "the entry in the -wal is listed");
        }
    }

    private static Map<String, String> snapshot(Path folder) throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.list(folder)) {
            for (Path p : s.toList()) {
                if (!Files.isRegularFile(p)) continue;
                try {
                    m.put(p.getFileName().toString(), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
                } catch (java.security.NoSuchAlgorithmException e) {
                    throw new AssertionError(e);
                }
            }
        }
        return m;
    }
}
