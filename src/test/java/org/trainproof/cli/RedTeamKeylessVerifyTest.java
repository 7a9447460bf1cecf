package org.trainproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20 item 9: a ledger signed (or re-signed) by an attacker's key verifies as self-consistent
 * without --key; neither the headline nor the exit status may say "verified" as if the signer were known:
 * keyless verify of an intact ledger exits 5 (inconclusive), never 0; 1 and 6 stay what they are.
 */
class RedTeamKeylessVerifyTest {
    @TempDir
    Path dir;

    @Test
    void keylessVerify_ofAttackerSignedLedger_headlineSaysSignerNotAuthenticated() throws Exception {
        assertEquals(0, CliRun.run("keygen", "--name", "example.com/lab", "--out", dir.resolve("lab")).code());
        assertEquals(0, CliRun.run("keygen", "--name", "example.com/lab", "--out", dir.resolve("evil")).code());
        Path db = dir.resolve("l.db");
        // The attacker's ledger under the lab's origin and key name, signed with the attacker's key.
        assertEquals(0, CliRun.run("init", db, "--key", dir.resolve("evil.key"), "--origin", "example.com/runs/1").code());

        CliRun keyless = CliRun.run("verify", db, "--integrity-only");
        // Before the fix: exit 0 for the attacker's ledger.
        assertEquals(5, keyless.code(), keyless.toString());
        String headline = keyless.out().lines().findFirst().orElse("");
        assertFalse(headline.contains("VERIFIED: the ledger is intact"), keyless.toString());
        assertTrue(headline.contains("signer not authenticated"), keyless.toString());
        assertTrue(headline.contains("--key"), keyless.toString());
        assertTrue(headline.startsWith("SELF-CONSISTENT, signer not authenticated (no --key) (exit 5)"), headline);

        Path json = dir.resolve("v.json");
        CliRun j = CliRun.run("verify", db, "--integrity-only", "--json", json);
        assertEquals(5, j.code(), j.toString());
        JsonNode n = new ObjectMapper().readTree(json.toFile());
        assertEquals(5, n.get("exit_code").asInt(), n.toString());
        assertEquals("INCONCLUSIVE", n.get("outcome").asText(), n.toString());
        assertTrue(n.get("statement").asText().contains("signer not authenticated"), n.toString());
        assertTrue(n.get("not_checked").toString().contains("signer"), n.toString());

        // With the lab's key the same ledger is an integrity failure; with the attacker's own key it is
        // VERIFIED (the signer is then the one the auditor named).
        CliRun lab = CliRun.run("verify", db, "--integrity-only", "--key", dir.resolve("lab.pub"));
        assertEquals(1, lab.code(), lab.toString());
        CliRun evil = CliRun.run("verify", db, "--integrity-only", "--key", dir.resolve("evil.pub"));
        assertEquals(0, evil.code(), evil.toString());
        assertTrue(evil.out().lines().findFirst().orElse("").startsWith("VERIFIED"), evil.toString());
    }

    /** The committed fixtures without --key: intact and consistent is 5 (0 only with the signer's key); 6 and 1 unchanged. */
    @Test
    void keylessVerify_ofFixtures_exitFiveForIntact_sixAndOneUnchanged() {
        // --artifacts: with the files the run is consistent (exit 0 with the key), so only the missing key can make it 5
        CliRun scratch = CliRun.run("verify", Path.of("fixtures", "scratch", "ledger.db"), "--artifacts", Path.of("fixtures", "scratch"), "--quiet");
        assertEquals(5, scratch.code(), scratch.toString());
        assertTrue(scratch.out().startsWith("SELF-CONSISTENT, signer not authenticated (no --key) (exit 5)"), scratch.out());
        CliRun keyed = CliRun.run("verify", Path.of("fixtures", "scratch", "ledger.db"), "--key", Path.of("fixtures", "scratch", "signer.pub"),
                "--artifacts", Path.of("fixtures", "scratch"), "--quiet");
        assertEquals(0, keyed.code(), keyed.toString());

        CliRun spliced = CliRun.run("verify", Path.of("fixtures", "spliced", "ledger.db"), "--quiet");
        assertEquals(6, spliced.code(), spliced.toString());
        assertTrue(spliced.out().startsWith("INCONSISTENT, signer not authenticated (no --key) (exit 6)"), spliced.out());

        CliRun tampered = CliRun.run("verify", Path.of("fixtures", "tampered", "entry-byte", "ledger.db"), "--quiet");
        assertEquals(1, tampered.code(), tampered.toString());
    }
}
