package org.trainproof.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.trainproof.bytes.Digest;

/**
 * Issue 19: {@link Entries#build} writes the envelope's bytes around the already canonical body
 * instead of canonicalizing the whole entry again. Its bytes must equal what {@link CanonicalJson}
 * makes of the same entry as a JSON object, for every shape the ledger writes, and decode back.
 */
class EntriesSpliceTest {
    private static final String[] KINDS = {"run", "metrics", "checkpoint", "event", "end", "a", "x_9", "k2_long_kind_name_of_32_chars_xx"};
    private static final String[] TEXTS = {"", "plain", "quote \" backslash \\ slash /", "tab\tnewline\n\u0001ctl", "é ü 日本 😀",
        "\u2028\u2029", "{\"body\":1}"};

    private static ObjectNode randomBody(Random r, int depth) {
        ObjectNode b = JsonNodeFactory.instance.objectNode();
        int n = r.nextInt(6);
        for (int i = 0; i < n; i++) {
            String key = r.nextBoolean() ? TEXTS[r.nextInt(TEXTS.length)] + i : "k" + r.nextInt(100);
            switch (r.nextInt(6)) {
                case 0 -> b.put(key, r.nextLong() >> 12);
                case 1 -> b.put(key, r.nextGaussian() * Math.pow(10, r.nextInt(40) - 20));
                case 2 -> b.put(key, TEXTS[r.nextInt(TEXTS.length)]);
                case 3 -> b.put(key, r.nextBoolean());
                case 4 -> b.putArray(key).add(r.nextInt()).add("s").addNull().add(r.nextDouble());
                default -> {
                    if (depth < 3) b.set(key, randomBody(r, depth + 1));
                    else b.putNull(key);
                }
            }
        }
        return b;
    }

    @Test
    void splicedEnvelope_equalsCanonicalizedEntry_forRandomEntries() throws Exception {
        Random r = new Random(19);
        for (int i = 0; i < 5000; i++) {
            long seq = switch (i % 4) {
                case 0 -> 0;
                case 1 -> r.nextInt(1000);
                case 2 -> (1L << 53) - 1 - r.nextInt(3);
                default -> Math.abs(r.nextLong()) % (1L << 40);
            };
            Digest prev = seq == 0 ? null : Digest.sha256(new byte[] {(byte) i, (byte) (i >> 8)});
            CheckpointRef after = seq == 0 || r.nextInt(3) == 0 ? null : new CheckpointRef(seq, Digest.sha256(new byte[] {(byte) i}));
            String kind = KINDS[r.nextInt(KINDS.length)];
            Instant t = Instant.ofEpochMilli(r.nextLong() % 4_000_000_000_000L).plusNanos(r.nextInt(1_000_000));
            ObjectNode body = randomBody(r, 0);
            LedgerEntry e = Entries.build(seq, prev, after, kind, t, body, CanonicalJson.canonicalize(body));
            byte[] expected = CanonicalJson.canonicalize(Entries.envelope(seq, prev, after, kind,
                    java.time.format.DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(java.time.temporal.ChronoUnit.MILLIS)), body));
            assertArrayEquals(expected, e.canonicalBytes(), () -> new String(expected, java.nio.charset.StandardCharsets.UTF_8));
            LedgerEntry back = Entries.decode(e.canonicalBytes());
            assertEquals(e.leafHash(), back.leafHash());
            assertArrayEquals(CanonicalJson.canonicalize(body), CanonicalJson.canonicalize(back.body())); // 1e18 reads back as an integer node
            assertSame(body, e.bodyView(), "the entry keeps the handed-over body (no copy)");
        }
    }

    @Test
    void oldBuild_copiesTheBody_andGivesTheSameBytes() {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("step", 3).put("text", "a\"b");
        Instant t = Instant.parse("2026-12-05T12:00:00.123456Z");
        LedgerEntry a = Entries.build(7, Digest.sha256(new byte[] {1}), null, "event", t, body);
        LedgerEntry b = Entries.build(7, Digest.sha256(new byte[] {1}), null, "event", t, body, CanonicalJson.canonicalize(body));
        assertArrayEquals(a.canonicalBytes(), b.canonicalBytes());
        body.put("step", 4);
        assertEquals(3, a.body().get("step").asInt(), "build without bytes still copies the caller's body");
    }
}
