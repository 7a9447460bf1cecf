package org.trainproof.bytes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DigestTest {
    @Test
    void sha256_knownVector_matchesFips180Example() {
        // FIPS 180-2 Appendix B.1: SHA-256("abc").
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                Digest.sha256("abc".getBytes(StandardCharsets.US_ASCII)).toString());
    }

    @Test
    void parse_roundTripsWhatItPrints() {
        Digest d = Digest.sha256(new byte[] {1, 2, 3});
        assertEquals(d, Digest.parse(d.toString()));
        assertArrayEquals(d.toByteArray(), Digest.parse(d.toString()).toByteArray());
    }

    @Test
    void parse_rejectsUppercaseAndWrongLength() {
        String hex = Digest.sha256(new byte[0]).toString();
        assertThrows(IllegalArgumentException.class, () -> Digest.parse(hex.toUpperCase()));
        assertThrows(IllegalArgumentException.class, () -> Digest.parse(hex.substring(2)));
        assertThrows(IllegalArgumentException.class, () -> Digest.of(new byte[31]));
    }

    @Test
    void toByteArray_returnsCopy() {
        Digest d = Digest.sha256(new byte[0]);
        byte[] b = d.toByteArray();
        b[0] ^= 1;
        assertNotEquals(Hex.encode(b), d.toString());
    }

    @Test
    void hexDecode_rejectsNonHex() {
        assertThrows(IllegalArgumentException.class, () -> Hex.decode("0g"));
        assertThrows(IllegalArgumentException.class, () -> Hex.decode("abc"));
    }

    /** The fast path of parse (only [0-9a-f]) must not change what the full check accepts; the reference is the pre-fast-path rule. */
    @Test
    void parse_fastPathAcceptsExactlyWhatTheFullCheckAccepts() {
        java.util.Random r = new java.util.Random(19);
        String alphabet = "0123456789abcdefABCDEFgz \u0663\uff11";
        for (int i = 0; i < 50_000; i++) {
            byte[] b = new byte[32];
            r.nextBytes(b);
            char[] c = Hex.encode(b).toCharArray();
            if (i % 2 == 0) c[r.nextInt(64)] = alphabet.charAt(r.nextInt(alphabet.length()));
            String s = new String(c);
            String expected;
            try {
                if (!s.equals(s.toLowerCase(java.util.Locale.ROOT))) throw new IllegalArgumentException();
                expected = Hex.encode(Hex.decode(s));
            } catch (IllegalArgumentException e) {
                expected = "rejected";
            }
            String actual;
            try {
                actual = Digest.parse(s).toString();
            } catch (IllegalArgumentException e) {
                actual = "rejected";
            }
            assertEquals(expected, actual, s);
        }
    }

    @Test
    void equalsBytes_comparesWithoutCopy() {
        Digest d = Digest.sha256(new byte[0]);
        byte[] b = d.toByteArray();
        org.junit.jupiter.api.Assertions.assertTrue(d.equalsBytes(b));
        b[31] ^= 1;
        org.junit.jupiter.api.Assertions.assertFalse(d.equalsBytes(b));
        org.junit.jupiter.api.Assertions.assertFalse(d.equalsBytes(null));
        org.junit.jupiter.api.Assertions.assertFalse(d.equalsBytes(new byte[31]));
    }
}
