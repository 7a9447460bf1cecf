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
 * without --key; the headline must not say "VERIFIED" as if the signer were known.
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
        String headline = keyless.out().lines().findFirst().orElse("");
        assertFalse(headline.contains("VERIFIED: the ledger is intact"), keyless.toString());
        assertTrue(headline.contains("signer not authenticated"), keyless.toString());
        assertTrue(headline.contains("--key"), keyless.toString());

        Path json = dir.resolve("v.json");
        CliRun j = CliRun.run("verify", db, "--integrity-only", "--json", json);
        JsonNode n = new ObjectMapper().readTree(json.toFile());
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
}
