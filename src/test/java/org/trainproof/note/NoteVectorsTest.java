package org.trainproof.note;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.trainproof.testing.SharedVectors.hex;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.trainproof.bytes.Digest;
import org.trainproof.bytes.Hex;
import org.trainproof.crypto.SigningKey;
import org.trainproof.testing.SharedVectors;
import org.trainproof.testing.SharedVectors.Collector;

/** signed_notes.json and checkpoints.json, every case in a loop that fails on zero cases. */
class NoteVectorsTest {

    private static Map<String, JsonNode> keys(JsonNode v) {
        Map<String, JsonNode> m = new HashMap<>();
        for (JsonNode k : v.get("keys")) m.put(k.get("id").asText(), k);
        return m;
    }

    @Test
    void keys_parseAndDeriveFromPrivateKeys() {
        JsonNode v = SharedVectors.load("signed_notes.json");
        Collector c = new Collector("signed_notes keys");
        for (JsonNode k : v.get("keys")) {
            String id = k.get("id").asText();
            try {
                VerifierKey vk = VerifierKey.parse(k.get("vkey").asText());
                c.check(vk.name().equals(k.get("name").asText()), id + " name");
                c.check(String.format("%08x", vk.keyId()).equals(k.get("key_id_hex").asText()), id + " key id");
                c.check(vk.type() == k.get("sig_type").asInt(), id + " type");
                c.check(Hex.encode(vk.key()).equals(k.get("public_key_hex").asText()), id + " public key");
                if (k.has("skey")) {
                    SigningKey sk = SigningKey.fromGoSkey(k.get("skey").asText());
                    c.check(sk.verifierKey().equals(k.get("vkey").asText()), id + " vkey from skey");
                }
            } catch (IllegalArgumentException e) {
                c.fail(id + ": " + e.getMessage());
            }
        }
        c.assertAll(14);
    }

    @Test
    void keyIdVectors_match() {
        JsonNode v = SharedVectors.load("signed_notes.json");
        Collector c = new Collector("key_id_vectors");
        for (JsonNode t : v.get("key_id_vectors")) {
            byte[] pub = hex(t.get("public_key_hex"));
            int type = t.get("sig_type").asInt();
            String want = t.get("key_id_hex").asText();
            c.check(Digest.sha256(hex(t.get("hashed_bytes_hex"))).toString().equals(t.get("sha256_hex").asText()),
                    t.get("key") + " hashed bytes");
            int got = type == VerifierKey.TYPE_ECDSA
                    ? (int) Long.parseLong(Digest.sha256(pub).toString().substring(0, 8), 16)
                    : SigningKey.keyId(t.get("name").asText(), (byte) type, pub);
            c.check(String.format("%08x", got).equals(want), t.get("key") + " key id " + String.format("%08x", got));
        }
        c.assertAll(13);
    }

    @Test
    void vkeyParseVectors_acceptExactlyTheValidOnes() {
        JsonNode v = SharedVectors.load("signed_notes.json");
        Collector c = new Collector("vkey_parse_vectors");
        for (JsonNode t : v.get("vkey_parse_vectors")) {
            String err = null;
            try {
                VerifierKey.parse(t.get("vkey").asText());
            } catch (IllegalArgumentException e) {
                err = e.getMessage();
            }
            c.check(t.get("valid").asBoolean() == (err == null), t.get("vkey").asText() + " -> " + err);
        }
        c.assertAll(15);
    }

    @Test
    void notes_outcomesMatch() {
        JsonNode v = SharedVectors.load("signed_notes.json");
        Map<String, JsonNode> keys = keys(v);
        Collector c = new Collector("signed_notes notes");
        for (JsonNode t : v.get("notes")) {
            String id = t.get("id").asText();
            byte[] note = t.get("note_encoding").asText().equals("base64")
                    ? Base64.getDecoder().decode(t.get("note").asText())
                    : t.get("note").asText().getBytes(StandardCharsets.UTF_8);
            List<VerifierKey> known = new ArrayList<>();
            for (JsonNode k : t.get("verifier_keys")) known.add(VerifierKey.parse(keys.get(k.asText()).get("vkey").asText()));
            String expect = t.get("expect").asText();
            try {
                SignedNote.Note n = SignedNote.open(note, known);
                if (!expect.equals("ok")) {
                    c.fail(id + ": expected " + expect + ", got ok");
                    continue;
                }
                c.check(n.text().equals(t.get("expect_text").asText()), id + " text");
                c.check(labels(n.verified()).equals(texts(t.get("expect_verified"))), id + " verified " + labels(n.verified()));
                c.check(labels(n.unverified()).equals(texts(t.get("expect_unverified"))), id + " unverified " + labels(n.unverified()));
            } catch (NoteException e) {
                c.check(e.kind().name().toLowerCase().equals(expect), id + ": expected " + expect + ", got " + e.kind() + " " + e.getMessage());
            }
            if ("reject".equals(t.path("checkpoint_policy_expect").asText(null))) {
                VerifierKey log = VerifierKey.parse(keys.get("log").get("vkey").asText());
                List<VerifierKey> others = new ArrayList<>(known);
                others.remove(log);
                try {
                    Checkpoint.open(note, log, others);
                    c.fail(id + ": checkpoint without the log's signature accepted");
                } catch (NoteException e) {
                    c.check(e.kind() == NoteException.Kind.NO_VERIFIED_SIGNATURE, id + " checkpoint policy " + e.kind());
                }
            }
        }
        c.assertAll(59);
    }

    @Test
    void signVectors_reproduceExactNotes() {
        JsonNode v = SharedVectors.load("signed_notes.json");
        Collector c = new Collector("sign_vectors");
        for (JsonNode t : v.get("sign_vectors")) {
            SigningKey k = SigningKey.fromGoSkey(t.get("skey").asText());
            String expected = t.get("expected_note").asText();
            if (t.has("existing_note")) {
                String existing = t.get("existing_note").asText();
                String text = existing.substring(0, existing.lastIndexOf("\n\n") + 1);
                String mine = SignedNote.sign(text, k);
                String line = mine.substring(mine.lastIndexOf("\n\u2014 ") + 1);
                c.check((existing + line).equals(expected), t.get("id").asText());
            } else {
                c.check(SignedNote.sign(t.get("text").asText(), k).equals(expected), t.get("id").asText());
            }
        }
        c.assertAll(2);
    }

    @Test
    void checkpointBodies_parseStrictly() {
        JsonNode v = SharedVectors.load("checkpoints.json");
        Collector c = new Collector("checkpoint_bodies");
        for (JsonNode t : v.get("checkpoint_bodies")) {
            String body = t.get("body").asText();
            // A SHA-256 log must reject roots that are not 32 bytes, even where a generic parser accepts.
            boolean valid = t.get("valid").asBoolean() && t.path("valid_strict_32_byte_hash").asBoolean(true);
            try {
                Checkpoint cp = Checkpoint.parseBody(body);
                if (!valid) {
                    c.fail("accepted invalid body " + body.replace("\n", "\\n"));
                    continue;
                }
                c.check(cp.origin().equals(t.get("origin").asText()), "origin " + cp.origin());
                c.check(cp.size() == t.get("size").asLong(), "size " + cp.size());
                c.check(cp.root().toString().equals(t.get("root_hash_hex").asText()), "root " + cp.root());
                c.check(cp.extensions().equals(texts(t.get("extensions"))), "extensions");
                c.check(cp.body().equals(body), "round trip " + body);
            } catch (NoteException e) {
                c.check(!valid, "rejected valid body " + body.replace("\n", "\\n") + ": " + e.getMessage());
            }
        }
        c.assertAll(18);
    }

    @Test
    void cosignatureLines_parse() {
        JsonNode v = SharedVectors.load("checkpoints.json");
        Collector c = new Collector("cosignature_lines");
        for (JsonNode t : v.get("cosignature_lines")) {
            boolean valid = t.path("valid_cosignature").asBoolean(true);
            try {
                Cosignature cs;
                if (t.has("line")) {
                    var e = Cosignature.parseLine(t.get("line").asText());
                    c.check(e.getKey().equals(t.get("key_name").asText()), "name");
                    cs = e.getValue();
                } else {
                    cs = Cosignature.parseBlob(t.get("base64").asText());
                }
                c.check(valid, "accepted " + t);
                if (valid) {
                    c.check(String.format("%08x", cs.keyId()).equals(t.get("key_id_hex").asText()), "key id");
                    c.check(cs.timestamp() == t.get("timestamp").asLong(), "timestamp");
                }
            } catch (IllegalArgumentException e) {
                c.check(!valid, "rejected " + t + ": " + e.getMessage());
            }
        }
        c.assertAll(3);
    }

    @Test
    void signedCheckpoint_roundTripsAndRejectsOtherKey() throws NoteException {
        SigningKey k = SigningKey.fromSeed("example.com/log", new byte[32]);
        SigningKey other = SigningKey.fromSeed("example.com/log", Base64.getDecoder().decode("AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="));
        Digest root = Digest.sha256("x".getBytes(StandardCharsets.UTF_8));
        String note = Checkpoint.sign("example.com/run", 5, root, k);
        Checkpoint cp = Checkpoint.open(note.getBytes(StandardCharsets.UTF_8), VerifierKey.parse(k.verifierKey()), List.of()).checkpoint();
        assertEquals(5, cp.size());
        assertEquals(root, cp.root());
        NoteException e = org.junit.jupiter.api.Assertions.assertThrows(NoteException.class,
                () -> Checkpoint.open(note.getBytes(StandardCharsets.UTF_8), VerifierKey.parse(other.verifierKey()), List.of()));
        assertEquals(NoteException.Kind.NO_VERIFIED_SIGNATURE, e.kind());
    }

    private static List<String> labels(List<SignedNote.Signature> s) {
        List<String> out = new ArrayList<>();
        for (SignedNote.Signature x : s) out.add(x.label());
        return out;
    }

    private static List<String> texts(JsonNode arr) {
        List<String> out = new ArrayList<>();
        for (JsonNode n : arr) out.add(n.asText());
        return out;
    }
}
