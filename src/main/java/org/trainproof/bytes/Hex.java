package org.trainproof.bytes;

/** Lowercase hexadecimal, parsed strictly (even length, lowercase or uppercase digits only). */
public final class Hex {
    private static final char[] DIGITS = "0123456789abcdef".toCharArray();

    private Hex() {}

    public static String encode(byte[] bytes) {
        char[] out = new char[bytes.length * 2];
        for (int i = 0; i < bytes.length; i++) {
            out[2 * i] = DIGITS[(bytes[i] >> 4) & 0xf];
            out[2 * i + 1] = DIGITS[bytes[i] & 0xf];
        }
        return new String(out);
    }

    /** @throws IllegalArgumentException on odd length or a non-hex character */
    public static byte[] decode(String hex) {
        if (hex.length() % 2 != 0) {
            throw new IllegalArgumentException("hex string has odd length " + hex.length());
        }
        byte[] out = new byte[hex.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) ((nibble(hex, 2 * i) << 4) | nibble(hex, 2 * i + 1));
        }
        return out;
    }

    private static int nibble(String s, int i) {
        int d = Character.digit(s.charAt(i), 16);
        if (d < 0) {
            throw new IllegalArgumentException("not a hex digit at position " + i + ": '" + s.charAt(i) + "'");
        }
        return d;
    }
}
