package org.trainproof.bytes;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * A 32-byte SHA-256 value. Immutable: copies in and out, compares in constant time, prints
 * lowercase hex and parses exactly what it prints.
 */
public final class Digest {
    public static final int LENGTH = 32;
    private final byte[] bytes;

    private Digest(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Requires exactly 32 bytes. */
    public static Digest of(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("a SHA-256 digest has 32 bytes, not " + bytes.length);
        }
        return new Digest(bytes.clone());
    }

    /** Parses 64 lowercase hex characters (what {@link #toString()} prints). */
    public static Digest parse(String hex) {
        // Fast path (the audit parses two digests per entry): exactly 64 of [0-9a-f]. Anything else
        // takes the original checks below, so what is accepted or rejected is unchanged.
        if (hex.length() == 2 * LENGTH) {
            byte[] out = new byte[LENGTH];
            boolean plain = true;
            for (int i = 0; i < LENGTH && plain; i++) {
                int hi = lowerHex(hex.charAt(2 * i));
                int lo = lowerHex(hex.charAt(2 * i + 1));
                plain = (hi | lo) >= 0;
                out[i] = (byte) ((hi << 4) | lo);
            }
            if (plain) return new Digest(out);
        }
        if (hex.length() != 2 * LENGTH || !hex.equals(hex.toLowerCase(java.util.Locale.ROOT))) {
            throw new IllegalArgumentException("a SHA-256 digest is 64 lowercase hex characters");
        }
        return new Digest(Hex.decode(hex));
    }

    private static int lowerHex(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1;
    }

    /** True when {@code other} holds exactly these 32 bytes (constant time; no copy). */
    public boolean equalsBytes(byte[] other) {
        return other != null && MessageDigest.isEqual(bytes, other);
    }

    /** SHA-256 of the given bytes. */
    public static Digest sha256(byte[] data) {
        return new Digest(newSha256().digest(data));
    }

    public static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }

    public byte[] toByteArray() {
        return bytes.clone();
    }

    /** Feeds the 32 bytes into {@code md} without copying. */
    public void updateInto(MessageDigest md) {
        md.update(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Digest d && MessageDigest.isEqual(bytes, d.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return Hex.encode(bytes);
    }
}
