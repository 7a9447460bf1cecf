package org.trainproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.ExitCode;
import org.trainproof.crypto.KeyFiles;
import org.trainproof.ledger.sqlite.WitnessStateStore;
import org.trainproof.note.VerifierKey;
import org.trainproof.trusted.Cosigner;
import org.trainproof.trusted.WitnessServer;

/** C2SP tlog-witness end to end: two witnesses on loopback HTTP, record --witness, verify --witness-key --quorum, forks, rollbacks, bad requests. */
class WitnessCliTest {
    private static final String ORIGIN = "example.com/runs/w";
    @TempDir
    Path dir;
    Path key;
    Path db;
    VerifierKey logKey;
    final List<AutoCloseable> open = new ArrayList<>();
    WitnessServer w1;
    WitnessServer w2;

    @BeforeEach
    void setUp() throws Exception {
        assertEquals(0, CliRun.run("keygen", "--name", "example.com/lab", "--out", dir.resolve("k")).code());
        key = dir.resolve("k.key");
        logKey = CliKeys.readVerifierKey(dir.resolve("k.pub"));
        db = dir.resolve("ledger.db");
        assertEquals(0, CliRun.run("init", db, "--key", key, "--origin", ORIGIN).code());
        for (String w : List.of("w1", "w2")) {
            CliRun k = CliRun.run("witness", "keygen", "--name", "witness.example/" + w, "--out", dir.resolve(w));
            assertEquals(0, k.code(), k.toString());
        }
        w1 = start("w1");
        w2 = start("w2");
    }

    private WitnessServer start(String name) throws IOException {
        WitnessStateStore st = WitnessStateStore.open(dir.resolve(name + ".db"));
        Cosigner c = new Cosigner(KeyFiles.readPrivate(dir.resolve(name + ".key"), null));
        WitnessServer s = new WitnessServer(new InetSocketAddress("127.0.0.1", 0), st, c, Map.of(ORIGIN, logKey), Clock.systemUTC());
        open.add(s);
        open.add(st);
        return s;
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : open) c.close();
    }

    private static String url(WitnessServer s) {
        return "http://127.0.0.1:" + s.address().getPort();
    }

    private String w(WitnessServer s, String name) {
        return url(s) + "=" + dir.resolve(name + ".pub");
    }

    private CliRun record(Path ledger, long step, Object... extra) {
        List<Object> a = new ArrayList<>(List.of("record", ledger, "--key", key, "--step", step, "--event", "e" + step));
        a.addAll(List.of(extra));
        return CliRun.run(a.toArray());
    }

    private JsonNode verify(Path ledger, int expectedExit, int quorum) throws IOException {
        Path json = dir.resolve("v" + System.nanoTime() + ".json");
        CliRun v = CliRun.run("verify", ledger, "--key", dir.resolve("k.pub"), "--integrity-only", "--json", json,
                "--witness-key", dir.resolve("w1.pub"), "--witness-key", dir.resolve("w2.pub"), "--quorum", quorum);
        assertEquals(expectedExit, v.code(), v.toString());
        return new ObjectMapper().readTree(json.toFile());
    }

    private static JsonNode timeCheck(JsonNode r) {
        for (JsonNode c : r.path("checks")) if (c.path("id").asText().equals("INTEGRITY_TIME")) return c;
        throw new AssertionError(r.toString());
    }

    private static List<String> codes(JsonNode check) {
        List<String> out = new ArrayList<>();
        for (JsonNode f : check.path("findings")) out.add(f.path("code").asText());
        return out;
    }

    @Test
    void record_twoWitnesses_quorumOfTwoVerifies() throws Exception {
        for (long step : new long[] {10, 20, 30}) {
            CliRun r = record(db, step, "--witness", w(w1, "w1"), "--witness", w(w2, "w2"));
            assertEquals(0, r.code(), r.toString());
            assertTrue(r.out().contains("2 cosignature(s) stored"), r.toString());
        }
        JsonNode rep = verify(db, 0, 2);
        assertEquals("PASS", timeCheck(rep).path("status").asText(), timeCheck(rep).toString());
        assertEquals(6, rep.path("integrity").path("trusted_time").path("cosignatures_valid").asInt());
        assertEquals(6, rep.path("integrity").path("trusted_time").path("timeline").size());
        // A cosignature altered in the table is refused (one bit of its base64).
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db); var st = c.createStatement()) {
            st.executeUpdate("INSERT INTO cosignatures(checkpoint_id, witness, signature) SELECT checkpoint_id, witness,"
                    + " substr(signature, 1, length(signature) - 6) || 'AAAAA=' FROM cosignatures WHERE id = 1");
        }
        assertTrue(codes(timeCheck(verify(db, ExitCode.INTEGRITY, 2))).contains("COSIGNATURE_INVALID"));
    }

    @Test
    void witnessDown_recordCommits_quorumFailsUntilSync() throws Exception {
        assertEquals(0, record(db, 10, "--witness", w(w1, "w1"), "--witness", w(w2, "w2")).code());
        String w2url = w(w2, "w2");
        w2.close();
        CliRun r = record(db, 20, "--witness", w(w1, "w1"), "--witness", w2url);
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("warning: witness"), r.err());
        assertTrue(CliRun.run("log", db).out().contains("e20"));
        assertTrue(codes(timeCheck(verify(db, ExitCode.INTEGRITY, 2))).contains("WITNESS_QUORUM_NOT_MET"));
        verify(db, 0, 1);
        // w2 back (same state file, new port): sync proves consistency from the size it cosigned (2) to 3; w1 cosigns 3 again.
        w2 = start("w2");
        CliRun s = CliRun.run("witness", "sync", db, "--witness", w(w1, "w1"), "--witness", w(w2, "w2"));
        assertEquals(0, s.code(), s.toString());
        assertTrue(s.out().contains("2 cosignature(s) stored"), s.out());
        verify(db, 0, 2);
    }

    @Test
    void fork_refusedByWitnessAndDetectedByVerify() throws Exception {
        for (long step : new long[] {10, 20}) assertEquals(0, record(db, step, "--witness", w(w1, "w1")).code());
        // The signer rewrites history: a second ledger, same key and origin, different entries.
        Path forked = dir.resolve("forked.db");
        assertEquals(0, CliRun.run("init", forked, "--key", key, "--origin", ORIGIN).code());
        assertEquals(0, record(forked, 10).code());
        assertEquals(0, record(forked, 99).code());
        assertEquals(0, record(forked, 100).code()); // size 4 > the witness's 3: the proof from 3 cannot verify
        CliRun s = CliRun.run("witness", "sync", forked, "--witness", w(w1, "w1"));
        assertEquals(ExitCode.BAD_INPUT, s.code(), s.toString());
        assertTrue(s.err().contains("HTTP 422"), s.err());
        JsonNode rep = verify(forked, ExitCode.INTEGRITY, 1);
        assertTrue(codes(timeCheck(rep)).contains("WITNESS_QUORUM_NOT_MET"));
    }

    @Test
    void rollback_olderCopy_refusedBySyncWithTheWitnessSize() throws Exception {
        assertEquals(0, record(db, 10, "--witness", w(w1, "w1")).code());
        Path old = dir.resolve("old.db");
        Files.copy(db, old);
        assertEquals(0, record(db, 20, "--witness", w(w1, "w1")).code());
        // The old copy is intact and its latest checkpoint is cosigned: verify alone cannot tell.
        verify(old, 0, 1);
        // Asking the witness can: it has cosigned size 3, the copy has 2.
        CliRun s = CliRun.run("witness", "sync", old, "--witness", w(w1, "w1"));
        assertEquals(ExitCode.BAD_INPUT, s.code(), s.toString());
        assertTrue(s.err().contains("rollback"), s.err());
        // The genuine ledger, asked again, is fine (fresh cosignature on the same size).
        assertEquals(0, CliRun.run("witness", "sync", db, "--witness", w(w1, "w1")).code());
        verify(db, 0, 1);
    }

    private HttpResponse<String> post(String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url(w1) + "/add-checkpoint"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void addCheckpoint_statusCodesPerSpec() throws Exception {
        assertEquals(0, record(db, 10, "--witness", w(w1, "w1")).code());
        assertEquals(0, record(db, 20).code());
        String note = CliRun.run("head", db).out();
        assertTrue(note.startsWith(ORIGIN + "\n3\n"), note);
        assertEquals(400, post("garbage").statusCode());
        assertEquals(400, post("old 01\n\n" + note).statusCode());
        assertEquals(413, post("old 0\n\n" + "x".repeat(WitnessServer.MAX_BODY + 10)).statusCode());
        assertEquals(404, post("old 0\n\n" + note.replace(ORIGIN, "example.com/other")).statusCode());
        String[] lines = note.split("\n");
        String badSig = note.replace(lines[lines.length - 1], lines[lines.length - 1].substring(0, lines[lines.length - 1].length() - 8) + "AAAAAAA=");
        assertEquals(403, post("old 2\n\n" + badSig).statusCode());
        assertEquals(400, post("old 4\n\n" + note).statusCode());
        HttpResponse<String> stale = post("old 1\n\n" + note);
        assertEquals(409, stale.statusCode());
        assertEquals("2\n", stale.body());
        assertEquals("text/x.tlog.size", stale.headers().firstValue("Content-Type").orElse(""));
        assertEquals(422, post("old 2\n" + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n" + note).statusCode());
        assertEquals(422, post("old 2\n\n" + note).statusCode()); // missing proof from 2 to 3
        assertEquals(405, HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url(w1) + "/add-checkpoint")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        // Still cosigns the good request after all that (state unchanged at 2).
        CliRun s = CliRun.run("witness", "sync", db, "--witness", w(w1, "w1"));
        assertEquals(0, s.code(), s.toString());
        assertTrue(new String(Files.readAllBytes(dir.resolve("w1.pub")), StandardCharsets.UTF_8).startsWith("witness.example/w1+"));
    }
}
