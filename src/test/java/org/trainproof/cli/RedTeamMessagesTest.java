package org.trainproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.ExitCode;

/** Issue 20 item 11: error messages name the problem, not the JSON library's switches or a decoder's internals. */
class RedTeamMessagesTest {
    @TempDir
    Path dir;

    private static void noLibraryNames(String s) {
        assertFalse(s.contains("JsonReadFeature") || s.contains("ALLOW_") || s.contains("Feature '"), s);
    }

    @Test
    void runConfigWithNaN_errorHasNoJacksonFeatureName() throws Exception {
        assertEquals(0, CliRun.run("keygen", "--name", "example.com/lab", "--out", dir.resolve("k")).code());
        Path rc = Files.writeString(dir.resolve("rc.json"), "{\"vocab_size\": NaN}\n");
        CliRun r = CliRun.run("init", dir.resolve("l.db"), "--key", dir.resolve("k.key"), "--origin", "example.com/r", "--run-config", rc);
        assertEquals(ExitCode.BAD_INPUT, r.code(), r.toString());
        noLibraryNames(r.err());
        assertTrue(r.err().contains("NaN"), r.toString());
    }

    @Test
    void jsonlWithComment_findingHasNoJacksonFeatureName() throws Exception {
        Path log = Files.writeString(dir.resolve("c.jsonl"), "{\"step\":0,\"loss\":2.5}\n{\"step\":1, // c\n\"loss\":2}\n{\"step\":2,\"loss\":2.0}\n");
        CliRun r = CliRun.run("metrics", log);
        assertTrue(r.out().contains("LOG_MALFORMED_RECORD"), r.toString());
        noLibraryNames(r.out() + r.err());
        assertTrue(r.out().contains("comment"), r.toString());
    }

    @Test
    void nonUtf8KeyFiles_clearMessage() throws Exception {
        Path key = dir.resolve("bad.key");
        Files.write(key, new byte[] {'x', (byte) 0xff, (byte) 0xfe, '\n'});
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        Path pub = dir.resolve("bad.pub");
        Files.write(pub, new byte[] {'x', (byte) 0xff, '\n'});
        assertEquals(0, CliRun.run("keygen", "--name", "example.com/lab", "--out", dir.resolve("k")).code());
        Path db = dir.resolve("l.db");
        assertEquals(0, CliRun.run("init", db, "--key", dir.resolve("k.key"), "--origin", "example.com/r").code());
        for (CliRun r : new CliRun[] {
                CliRun.run("record", db, "--key", key, "--step", 1, "--event", "x"),
                CliRun.run("verify", db, "--key", pub, "--integrity-only")}) {
            assertEquals(ExitCode.BAD_INPUT, r.code(), r.toString());
            assertFalse(r.err().contains("Input length"), r.toString());
            assertTrue(r.err().contains("not a text key file") && r.err().contains("byte 1"), r.toString());
        }
    }

    @Test
    void wrongKey_namedWithItsKeyId() throws Exception {
        assertEquals(0, CliRun.run("keygen", "--name", "example.com/lab", "--out", dir.resolve("k")).code());
        assertEquals(0, CliRun.run("keygen", "--name", "example.com/lab", "--out", dir.resolve("other")).code());
        Path db = dir.resolve("l.db");
        assertEquals(0, CliRun.run("init", db, "--key", dir.resolve("k.key"), "--origin", "example.com/r").code());
        CliRun r = CliRun.run("record", db, "--key", dir.resolve("other.key"), "--step", 1, "--event", "x");
        assertEquals(ExitCode.BAD_INPUT, r.code(), r.toString());
        // Same name, different key: only the key IDs tell them apart.
        assertTrue(r.err().matches("(?s).*the key example\\.com/lab\\+[0-9a-f]{8} is not this ledger's key \\(example\\.com/lab\\+[0-9a-f]{8}\\).*"), r.toString());
    }
}
