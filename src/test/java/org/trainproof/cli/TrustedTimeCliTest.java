package org.trainproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.ExitCode;
import org.trainproof.trusted.OpenSslTsa;

/** RFC 3161 end to end against a real OpenSSL TSA on loopback, and our tokens checked by openssl ts -verify. */
class TrustedTimeCliTest {
    @TempDir
    Path dir;
    Path key;
    Path db;

    @BeforeEach
    void ledger() {
        Assumptions.assumeTrue(OpenSslTsa.available(), "openssl with 'ts' not found: RFC 3161 interop not tested");
        assertEquals(0, CliRun.run("keygen", "--name", "example.com/lab", "--out", dir.resolve("k")).code());
        key = dir.resolve("k.key");
        db = dir.resolve("ledger.db");
        assertEquals(0, CliRun.run("init", db, "--key", key, "--origin", "example.com/runs/t").code());
    }

    private JsonNode verifyJson(int expectedExit, Object... extra) throws IOException {
        Path json = dir.resolve("r" + System.nanoTime() + ".json");
        List<Object> args = new ArrayList<>(List.of("verify", db, "--key", dir.resolve("k.pub"), "--integrity-only", "--json", json));
        args.addAll(List.of(extra));
        CliRun v = CliRun.run(args.toArray());
        assertEquals(expectedExit, v.code(), v.toString());
        return new ObjectMapper().readTree(json.toFile());
    }

    private static JsonNode check(JsonNode report, String id) {
        for (JsonNode c : report.path("checks")) if (c.path("id").asText().equals(id)) return c;
        throw new AssertionError("no check " + id + " in " + report);
    }

    private static List<String> codes(JsonNode check) {
        List<String> out = new ArrayList<>();
        for (JsonNode f : check.path("findings")) out.add(f.path("code").asText());
        return out;
    }

    @Test
    void record_withOpenSslTsa_tokensVerifyAndTimelineShows() throws Exception {
        try (OpenSslTsa tsa = new OpenSslTsa(dir.resolve("tsa"), "Test Root")) {
            CliRun r = CliRun.run("record", db, "--key", key, "--step", 100, "--event", "e1", "--tsa", tsa.uri());
            assertEquals(0, r.code(), r.toString());
            assertTrue(r.out().contains("1 token(s) stored"), r.out());
            r = CliRun.run("record", db, "--key", key, "--step", 200, "--event", "e2", "--tsa", tsa.uri());
            assertEquals(0, r.code(), r.toString());
            // The genesis checkpoint (init) has no token: a warning, not a failure.
            JsonNode rep = verifyJson(0, "--tsa-cert", tsa.caPem);
            JsonNode c = check(rep, "INTEGRITY_TIME");
            assertEquals("PASS", c.path("status").asText(), c.toString());
            assertEquals(List.of("TIMESTAMP_MISSING"), codes(c));
            JsonNode tt = rep.path("integrity").path("trusted_time");
            assertEquals(2, tt.path("tokens_valid").asInt());
            assertEquals(2, tt.path("timeline").size());
            assertEquals(100, tt.path("timeline").get(0).path("step").asLong());
            assertEquals(200, tt.path("timeline").get(1).path("step").asLong());
            assertTrue(rep.path("statement").asText().contains("step 200 existed by"), rep.path("statement").asText());
            // trainproof timestamp fills the genesis checkpoint's token.
            CliRun f = CliRun.run("timestamp", db, "--tsa", tsa.uri());
            assertEquals(0, f.code(), f.toString());
            assertTrue(f.out().contains("1 token(s) stored"), f.out());
            JsonNode rep2 = verifyJson(0, "--tsa-cert", tsa.caPem);
            // The genesis token is now later than (or, within the TSA's 1 s resolution, equal to) the step-100 one:
            // at most the information TIMESTAMP_BACKWARDS, never a warning or failure.
            List<String> after = codes(check(rep2, "INTEGRITY_TIME"));
            assertTrue(after.isEmpty() || after.equals(List.of("TIMESTAMP_BACKWARDS")), after.toString());
            assertEquals("PASS", check(rep2, "INTEGRITY_TIME").path("status").asText());
            assertEquals(3, rep2.path("integrity").path("trusted_time").path("tokens_valid").asInt());
            // The HTML report draws the timeline chart.
            Path html = dir.resolve("r.html");
            assertEquals(0, CliRun.run("verify", db, "--key", dir.resolve("k.pub"), "--integrity-only", "--tsa-cert", tsa.caPem,
                    "--report", html).code());
            assertTrue(Files.readString(html).contains("chart-trusted-time"));
        }
    }

    @Test
    void verify_wrongAnchor_failsTimestampInvalid() throws Exception {
        try (OpenSslTsa tsa = new OpenSslTsa(dir.resolve("tsa"), "Test Root");
                OpenSslTsa other = new OpenSslTsa(dir.resolve("other"), "Other Root")) {
            assertEquals(0, CliRun.run("record", db, "--key", key, "--step", 1, "--event", "e", "--tsa", tsa.uri()).code());
            JsonNode rep = verifyJson(ExitCode.INTEGRITY, "--tsa-cert", other.caPem);
            assertTrue(codes(check(rep, "INTEGRITY_TIME")).contains("TIMESTAMP_INVALID"));
            // The TSA's own leaf certificate lacks CA rights: not an anchor that makes the chain valid either way,
            // but the right root does.
            verifyJson(0, "--tsa-cert", tsa.caPem);
        }
    }

    @Test
    void verify_tokenMovedToAnotherCheckpoint_imprintMismatchFails() throws Exception {
        try (OpenSslTsa tsa = new OpenSslTsa(dir.resolve("tsa"), "Test Root")) {
            assertEquals(0, CliRun.run("record", db, "--key", key, "--step", 1, "--event", "e", "--tsa", tsa.uri()).code());
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
                // Copy the token of checkpoint 2 onto checkpoint 1 (the genesis checkpoint).
                st.executeUpdate("INSERT INTO timestamp_tokens(checkpoint_id, tsa, nonce, token)"
                        + " SELECT 1, tsa, nonce, token FROM timestamp_tokens WHERE checkpoint_id = 2");
            }
            JsonNode rep = verifyJson(ExitCode.INTEGRITY, "--tsa-cert", tsa.caPem);
            JsonNode c = check(rep, "INTEGRITY_TIME");
            assertTrue(c.toString().contains("imprint does not match"), c.toString());
        }
    }

    @Test
    void record_tsaDownOrSlow_entryCommittedTokenMissingThenFilled() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        CliRun down = CliRun.run("record", db, "--key", key, "--step", 1, "--event", "down", "--tsa", "http://127.0.0.1:" + closed + "/tsa");
        assertEquals(0, down.code(), down.toString());
        assertTrue(down.err().contains("no timestamp"), down.err());
        try (OpenSslTsa tsa = new OpenSslTsa(dir.resolve("tsa"), "Test Root")) {
            tsa.delayMillis = 3000;
            long t0 = System.nanoTime();
            CliRun slow = CliRun.run("record", db, "--key", key, "--step", 2, "--event", "slow", "--tsa", tsa.uri(), "--tsa-timeout", "0.5");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(0, slow.code(), slow.toString());
            assertTrue(ms < 2500, "record waited " + ms + " ms for a slow TSA");
            CliRun log = CliRun.run("log", db);
            assertTrue(log.out().contains("down") && log.out().contains("slow"), log.out());
            JsonNode rep = verifyJson(0, "--tsa-cert", tsa.caPem);
            JsonNode c = check(rep, "INTEGRITY_TIME");
            assertEquals(List.of("TIMESTAMP_MISSING"), codes(c));
            assertEquals(0, rep.path("integrity").path("trusted_time").path("tokens_valid").asInt());
            tsa.delayMillis = 0;
            assertEquals(0, CliRun.run("timestamp", db, "--tsa", tsa.uri()).code());
            JsonNode rep2 = verifyJson(0, "--tsa-cert", tsa.caPem);
            assertEquals(3, rep2.path("integrity").path("trusted_time").path("tokens_valid").asInt());
            assertFalse(codes(check(rep2, "INTEGRITY_TIME")).contains("TIMESTAMP_MISSING"));
        }
        // TSA down for the fill: exit 3, nothing lost.
        assertEquals(ExitCode.BAD_INPUT, CliRun.run("record", db, "--key", key, "--step", 3, "--event", "x").code() == 0
                ? CliRun.run("timestamp", db, "--tsa", "http://127.0.0.1:" + closed + "/tsa", "--tsa-timeout", "1").code() : -1);
    }

    @Test
    void timestampExport_acceptedByOpensslTsVerify_andTamperedNoteRefused() throws Exception {
        try (OpenSslTsa tsa = new OpenSslTsa(dir.resolve("tsa"), "Test Root")) {
            assertEquals(0, CliRun.run("record", db, "--key", key, "--step", 1, "--event", "e", "--tsa", tsa.uri()).code());
            Path p = dir.resolve("exp");
            CliRun e = CliRun.run("timestamp", "export", db, "--out", p);
            assertEquals(0, e.code(), e.toString());
            Path tsr = dir.resolve("exp.tsr");
            Path note = dir.resolve("exp.note");
            String ok = OpenSslTsa.run("openssl", "ts", "-verify", "-token_in", "-in", tsr.toString(), "-data", note.toString(),
                    "-CAfile", tsa.caPem.toString());
            assertTrue(ok.contains("Verification: OK"), ok);
            byte[] b = Files.readAllBytes(note);
            b[0] ^= 1;
            Path bad = dir.resolve("bad.note");
            Files.write(bad, b);
            Process pr = new ProcessBuilder("openssl", "ts", "-verify", "-token_in", "-in", tsr.toString(), "-data", bad.toString(),
                    "-CAfile", tsa.caPem.toString()).redirectErrorStream(true).start();
            pr.getInputStream().readAllBytes();
            assertNotEquals(0, pr.waitFor(), "openssl accepted a token over altered note bytes");
        }
    }

    @Test
    void verify_readOnly_createsNoTrustedTimeTables() throws Exception {
        Path copy = dir.resolve("scratch.db");
        Files.copy(Path.of("fixtures", "scratch", "ledger.db"), copy);
        byte[] before = Files.readAllBytes(copy);
        CliRun v = CliRun.run("verify", copy, "--key", Path.of("fixtures", "scratch", "signer.pub"), "--integrity-only");
        assertEquals(0, v.code(), v.toString());
        assertTrue(v.out().contains("no RFC 3161 timestamps") || v.out().contains("when:"), v.out());
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + copy + "?mode=ro");
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM sqlite_master WHERE name = 'timestamp_tokens'")) {
            assertEquals(0, rs.getInt(1));
        }
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(copy)), "verify changed the ledger file");
        assertFalse(Files.exists(dir.resolve("scratch.db-wal")) && Files.size(dir.resolve("scratch.db-wal")) > 0);
    }
}
