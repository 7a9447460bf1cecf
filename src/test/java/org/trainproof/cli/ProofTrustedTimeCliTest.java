package org.trainproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.ExitCode;
import org.trainproof.crypto.KeyFiles;
import org.trainproof.ledger.sqlite.WitnessStateStore;
import org.trainproof.note.VerifierKey;
import org.trainproof.trusted.Cosigner;
import org.trainproof.trusted.OpenSslTsa;
import org.trainproof.trusted.WitnessServer;

/** prove carries the checkpoint's RFC 3161 tokens (real OpenSSL TSA on loopback) and witness cosignatures; verify-proof checks them offline. */
class ProofTrustedTimeCliTest {
    private static final String ORIGIN = "example.com/runs/p";
    private static final Pattern EXISTED = Pattern.compile("the checkpoint \\(size (\\d+)\\) existed by (\\S+) \\((TSA|witness) ");
    @TempDir
    Path dir;
    Path key;
    Path pub;
    Path db;
    final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void ledger() {
        assertEquals(0, CliRun.run("keygen", "--name", "example.com/lab", "--out", dir.resolve("k")).code());
        key = dir.resolve("k.key");
        pub = dir.resolve("k.pub");
        db = dir.resolve("ledger.db");
        assertEquals(0, CliRun.run("init", db, "--key", key, "--origin", ORIGIN).code());
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : open) c.close();
    }

    /** The proof of entry 1 (the one record after init). */
    private Path prove() {
        Path out = dir.resolve("proof" + System.nanoTime() + ".json");
        CliRun p = CliRun.run("prove", db, "--index", 1, "--out", out);
        assertEquals(0, p.code(), p.toString());
        return out;
    }

    private CliRun verifyProof(Path proof, Object... extra) {
        List<Object> a = new ArrayList<>(List.of("verify-proof", proof, "--key", pub));
        a.addAll(List.of(extra));
        return CliRun.run(a.toArray());
    }

    private Path write(JsonNode bundle) throws IOException {
        Path p = dir.resolve("edited" + System.nanoTime() + ".json");
        Files.writeString(p, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(bundle));
        return p;
    }

    private static List<Instant> existedBy(String out, String source, long size) {
        List<Instant> l = new ArrayList<>();
        Matcher m = EXISTED.matcher(out);
        while (m.find()) {
            if (m.group(3).equals(source)) {
                assertEquals(size, Long.parseLong(m.group(1)), out);
                l.add(Instant.parse(m.group(2)));
            }
        }
        return l;
    }

    @Test
    void proofWithTsaToken_verifiesOfflineAndPrintsTime_tamperedOrWrongAnchorIsExit1() throws Exception {
        Assumptions.assumeTrue(OpenSslTsa.available(), "openssl with 'ts' not found: RFC 3161 in proofs not tested");
        try (OpenSslTsa tsa = new OpenSslTsa(dir.resolve("tsa"), "Test Root");
                OpenSslTsa other = new OpenSslTsa(dir.resolve("other"), "Other Root")) {
            Instant before = Instant.now().minusSeconds(1); // the TSA's genTime has 1 s resolution
            CliRun r = CliRun.run("record", db, "--key", key, "--step", 7, "--event", "e7", "--tsa", tsa.uri());
            assertEquals(0, r.code(), r.toString());
            Instant after = Instant.now().plusSeconds(1);
            Path proof = prove();
            JsonNode b = new ObjectMapper().readTree(proof.toFile());
            assertEquals(1, b.path("timestamps").size(), b.toString());
            assertEquals(tsa.uri().toString(), b.path("timestamps").get(0).path("tsa").asText());
            assertFalse(b.has("cosignatures"));

            // The ledger is not needed: move it away.
            Files.move(db, dir.resolve("gone.db"));
            CliRun v = verifyProof(proof, "--tsa-cert", tsa.caPem);
            assertEquals(0, v.code(), v.toString());
            // The ledger (genesis + one event) has 2 entries: the proof is against the size-2 checkpoint.
            List<Instant> times = existedBy(v.out(), "TSA", 2);
            assertEquals(1, times.size(), v.out());
            assertTrue(!times.get(0).isBefore(before) && !times.get(0).isAfter(after), times + " not within the record call");
            assertTrue(v.out().contains("OK: entry 1"), v.out());

            // Tokens present, no anchor given: verified inclusion, trusted time explicitly not verified.
            CliRun noAnchor = verifyProof(proof);
            assertEquals(0, noAnchor.code(), noAnchor.toString());
            assertTrue(noAnchor.out().contains("not verified"), noAnchor.out());
            assertTrue(existedBy(noAnchor.out(), "TSA", 2).isEmpty(), noAnchor.out());

            // A TSA the auditor does not trust: exit 1.
            CliRun wrong = verifyProof(proof, "--tsa-cert", other.caPem);
            assertEquals(ExitCode.INTEGRITY, wrong.code(), wrong.toString());
            assertTrue(wrong.err().contains("does not verify"), wrong.err());

            // One byte of the token's DER changed (near the end: the CMS signature): exit 1.
            ObjectNode t = (ObjectNode) b.deepCopy();
            ObjectNode tok = (ObjectNode) t.path("timestamps").get(0);
            byte[] der = Base64.getDecoder().decode(tok.path("token").asText());
            der[der.length - 10] ^= 0x01;
            tok.put("token", Base64.getEncoder().encodeToString(der));
            CliRun tampered = verifyProof(write(t), "--tsa-cert", tsa.caPem);
            assertEquals(ExitCode.INTEGRITY, tampered.code(), tampered.toString());
            assertTrue(existedBy(tampered.out(), "TSA", 2).isEmpty(), tampered.out());

            // A valid token for another note (here: the same token with a different nonce claimed) is refused too.
            ObjectNode n = (ObjectNode) b.deepCopy();
            ((ObjectNode) n.path("timestamps").get(0)).put("nonce", "12345");
            assertEquals(ExitCode.INTEGRITY, verifyProof(write(n), "--tsa-cert", tsa.caPem).code());

            // Unknown property inside a timestamp: the schema refuses it (exit 3).
            ObjectNode x = (ObjectNode) b.deepCopy();
            ((ObjectNode) x.path("timestamps").get(0)).put("time", "2020-01-01T00:00:00Z");
            assertEquals(ExitCode.BAD_INPUT, verifyProof(write(x), "--tsa-cert", tsa.caPem).code());
        }
    }

    private WitnessServer startWitness(String name, VerifierKey logKey) throws IOException {
        CliRun k = CliRun.run("witness", "keygen", "--name", "witness.example/" + name, "--out", dir.resolve(name));
        assertEquals(0, k.code(), k.toString());
        WitnessStateStore st = WitnessStateStore.open(dir.resolve(name + ".db"));
        Cosigner c = new Cosigner(KeyFiles.readPrivate(dir.resolve(name + ".key"), null));
        WitnessServer s = new WitnessServer(new InetSocketAddress("127.0.0.1", 0), st, c, Map.of(ORIGIN, logKey), Clock.systemUTC());
        open.add(s);
        open.add(st);
        return s;
    }

    private String witnessArg(WitnessServer s, String name) {
        return "http://127.0.0.1:" + s.address().getPort() + "=" + dir.resolve(name + ".pub");
    }

    @Test
    void proofWithCosignatures_quorumVerifiesOffline_tamperedOrMissingIsExit1() throws Exception {
        VerifierKey logKey = CliKeys.readVerifierKey(pub);
        WitnessServer w1 = startWitness("w1", logKey);
        WitnessServer w2 = startWitness("w2", logKey);
        long before = Instant.now().getEpochSecond();
        CliRun r = CliRun.run("record", db, "--key", key, "--step", 3, "--event", "e3",
                "--witness", witnessArg(w1, "w1"), "--witness", witnessArg(w2, "w2"));
        assertEquals(0, r.code(), r.toString());
        long after = Instant.now().getEpochSecond();
        Path proof = prove();
        JsonNode b = new ObjectMapper().readTree(proof.toFile());
        assertEquals(2, b.path("cosignatures").size(), b.toString());
        assertFalse(b.has("timestamps"));
        Files.move(db, dir.resolve("gone.db"));

        Object[] both = {"--witness-key", dir.resolve("w1.pub"), "--witness-key", dir.resolve("w2.pub")};
        List<Object> q2 = new ArrayList<>(List.of(both));
        q2.addAll(List.of("--quorum", 2));
        CliRun v = verifyProof(proof, q2.toArray());
        assertEquals(0, v.code(), v.toString());
        List<Instant> times = existedBy(v.out(), "witness", 2);
        assertEquals(2, times.size(), v.out());
        for (Instant t : times) assertTrue(t.getEpochSecond() >= before && t.getEpochSecond() <= after, t + " not within the record call");

        // Only w1's key given: its cosignature verifies, w2's is reported as not verified; quorum 2 cannot be asked (usage).
        CliRun one = verifyProof(proof, "--witness-key", dir.resolve("w1.pub"), "--quorum", 1);
        assertEquals(0, one.code(), one.toString());
        assertEquals(1, existedBy(one.out(), "witness", 2).size(), one.out());
        assertTrue(one.out().contains("1 cosignature(s) in the bundle by witnesses not given"), one.out());

        // A cosignature altered in one base64 character of its signature (same length): exit 1.
        ObjectNode t = (ObjectNode) b.deepCopy();
        ArrayNode cs = (ArrayNode) t.path("cosignatures");
        String line = cs.get(0).asText();
        int at = line.length() - 10;
        cs.set(0, line.substring(0, at) + (line.charAt(at) == 'A' ? 'B' : 'A') + line.substring(at + 1));
        CliRun tampered = verifyProof(write(t), q2.toArray());
        assertEquals(ExitCode.INTEGRITY, tampered.code(), tampered.toString());
        assertTrue(tampered.err().contains("does not verify"), tampered.err());
        // Truncated (no longer a 76-byte cosignature) but naming a given witness: exit 1, not "unknown".
        ObjectNode tr = (ObjectNode) b.deepCopy();
        ArrayNode trs = (ArrayNode) tr.path("cosignatures");
        trs.set(0, line.substring(0, line.length() - 6) + "AAAAA=");
        List<Object> q1only = new ArrayList<>(List.of(both));
        q1only.addAll(List.of("--quorum", 1));
        CliRun truncated = verifyProof(write(tr), q1only.toArray());
        assertEquals(ExitCode.INTEGRITY, truncated.code(), truncated.toString());
        assertTrue(truncated.err().contains("not a cosignature/v1 line"), truncated.err());

        // One cosignature removed: quorum 2 not met, exit 1; quorum 1 still holds.
        ObjectNode m = (ObjectNode) b.deepCopy();
        ((ArrayNode) m.path("cosignatures")).remove(1);
        Path missing = write(m);
        CliRun notMet = verifyProof(missing, q2.toArray());
        assertEquals(ExitCode.INTEGRITY, notMet.code(), notMet.toString());
        assertTrue(notMet.err().contains("1 valid cosignatures") && notMet.err().contains("2 required"), notMet.err());
        List<Object> q1 = new ArrayList<>(List.of(both));
        q1.addAll(List.of("--quorum", 1));
        assertEquals(0, verifyProof(missing, q1.toArray()).code());
    }

    @Test
    void proofWithoutTrustedTime_verifiesAsBefore() throws Exception {
        assertEquals(0, CliRun.run("record", db, "--key", key, "--step", 5, "--event", "e5").code());
        Path proof = prove();
        JsonNode b = new ObjectMapper().readTree(proof.toFile());
        assertFalse(b.has("timestamps") || b.has("cosignatures"), b.toString());
        CliRun v = verifyProof(proof);
        assertEquals(0, v.code(), v.toString());
        assertTrue(v.out().contains("OK: entry 1"), v.out());
        assertTrue(v.out().contains("nothing shows when the checkpoint existed"), v.out());
        // Quorum asked but the bundle has no cosignatures: exit 1.
        Path w = dir.resolve("w");
        assertEquals(0, CliRun.run("witness", "keygen", "--name", "witness.example/x", "--out", w).code());
        CliRun q = verifyProof(proof, "--witness-key", dir.resolve("w.pub"), "--quorum", 1);
        assertEquals(ExitCode.INTEGRITY, q.code(), q.toString());
    }
}
