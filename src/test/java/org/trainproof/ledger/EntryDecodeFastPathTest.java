package org.trainproof.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.trainproof.merkle.Hashes;

/**
 * Entries.decode tries a fast path (no duplicate-key detection, canonical form compared without
 * building bytes) and falls back to the original strict decode (Entries.decodeStrict) for anything
 * the fast path does not accept. The outcome — the entry, or the error message and its
 * "not canonical" flag — must be that of the strict decode for every input.
 */
class EntryDecodeFastPathTest {
    private static final String PREV = "cd".repeat(32);
    private static final String GOOD = "{\"body\":{\"metrics\":{\"loss\":2.5,\"lr\":0.0006},\"step\":7,\"text\":\"caf\u00e9 \\\"q\\\" \\n\"},"
            + "\"kind\":\"metrics\",\"prev\":\"" + PREV + "\",\"seq\":3,\"time\":\"2026-12-05T08:00:00.123Z\"}";

    private static String outcome(boolean strict, byte[] b) {
        try {
            LedgerEntry e = strict ? Entries.decodeStrict(b, Hashes.leaf(b)) : Entries.decode(b);
            return "ok " + e.seq() + " " + e.kind() + " " + e.time() + " " + e.prev().orElse(null) + " " + e.bodyView() + " " + e.leafHash();
        } catch (Entries.EntryFormatException x) {
            return "error notCanonical=" + x.notCanonical() + " " + x.getMessage();
        }
    }

    @Test
    void variants_sameOutcomeAsStrictDecode() {
        List<String> cases = new ArrayList<>(List.of(GOOD,
                GOOD.replace("\"seq\":3", "\"seq\":3,\"seq\":3"), // duplicate key at the top
                GOOD.replace("\"step\":7", "\"step\":7,\"step\":7"), // duplicate key in the body
                GOOD.replace("\"lr\":0.0006", "\"lr\":0.0006,\"lr\":0.0006"),
                GOOD.replace(",", ", "), GOOD.replace("2.5", "2.50"), GOOD.replace("0.0006", "6e-4"), GOOD + " ", GOOD + "{}",
                GOOD.replace("\"kind\"", "\"extra\":1,\"kind\""), GOOD.replace("T08", "t08"), GOOD.replace(".123Z", ".1234Z"),
                GOOD.replace("\"body\":{\"metrics\":{\"loss\":2.5,\"lr\":0.0006},", "\"body\":{\"metrics\":{\"lr\":0.0006,\"loss\":2.5},"),
                GOOD.replace("caf\u00e9", "caf\\u00e9"), GOOD.replace("\\n", "\\u000a"), GOOD.replace("\"seq\":3", "\"seq\":3.0"),
                GOOD.replace("2.5", "NaN"), GOOD.replace(PREV, PREV.toUpperCase()), GOOD.replace("2.5", "1e400"),
                // a power of two the pre-2026-12-05 formatter wrote with a digit too many (legacy form, accepted)
                GOOD.replace("2.5", "5.9604644775390625e-8"), GOOD.replace("2.5", "5.960464477539063e-8"),
                "[]", "{}", "", "{\"seq\":", "null"));
        Random r = new Random(19);
        for (int i = 0; i < 3000; i++) {
            char[] c = GOOD.toCharArray();
            String alphabet = "{}[]\",:0123456789.eE-+ aZ\\";
            c[r.nextInt(c.length)] = alphabet.charAt(r.nextInt(alphabet.length()));
            cases.add(new String(c));
        }
        int accepted = 0;
        for (String s : cases) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            String strict = outcome(true, b);
            assertEquals(strict, outcome(false, b), s);
            if (strict.startsWith("ok")) accepted++;
        }
        assertTrue(accepted >= 3, "the good entry, its legacy-number and \\u00e9-free variants decode: " + accepted);
    }

    @Test
    void duplicateKey_isMalformed_notMerelyNonCanonical() {
        byte[] b = GOOD.replace("\"step\":7", "\"step\":7,\"step\":7").getBytes(StandardCharsets.UTF_8);
        String o = outcome(false, b);
        assertTrue(o.startsWith("error notCanonical=false") && o.toLowerCase().contains("duplicate"), o);
        assertFalse(outcome(false, GOOD.getBytes(StandardCharsets.UTF_8)).startsWith("error"));
    }

    @Test
    void publicDecode_keepsItsOwnCopyOfTheBytes() throws Exception {
        byte[] b = GOOD.getBytes(StandardCharsets.UTF_8);
        LedgerEntry e = Entries.decode(b);
        b[0] = 'X';
        assertEquals(GOOD, new String(e.canonicalBytes(), StandardCharsets.UTF_8));
    }
}
