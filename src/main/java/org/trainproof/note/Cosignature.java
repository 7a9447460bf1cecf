package org.trainproof.note;

import java.nio.ByteBuffer;
import java.util.Base64;

/**
 * The fixed part of a C2SP tlog-cosignature/v1 Ed25519 signature blob: key ID (4 bytes), timestamp
 * (u64 big-endian POSIX seconds, &lt; 2^63), signature (64 bytes): 76 bytes in all.
 */
public record Cosignature(int keyId, long timestamp) {
    public static final int BLOB_LENGTH = 4 + 8 + 64;

    /** Parses a base64 blob; throws IllegalArgumentException unless it is a 76-byte cosignature. */
    public static Cosignature parseBlob(String base64) {
        byte[] b = Base64.getDecoder().decode(base64);
        if (b.length != BLOB_LENGTH) throw new IllegalArgumentException("a cosignature blob has 76 bytes, not " + b.length);
        ByteBuffer bb = ByteBuffer.wrap(b);
        int id = bb.getInt();
        long ts = bb.getLong();
        if (ts < 0) throw new IllegalArgumentException("timestamp >= 2^63");
        return new Cosignature(id, ts);
    }

    /** Parses a note signature line {@code — name base64}; returns the key name and the cosignature. */
    public static java.util.Map.Entry<String, Cosignature> parseLine(String line) {
        if (!line.startsWith("\u2014 ")) throw new IllegalArgumentException("not a signature line");
        String rest = line.substring(2);
        int sp = rest.indexOf(' ');
        if (sp < 0) throw new IllegalArgumentException("no signature after the key name");
        return java.util.Map.entry(rest.substring(0, sp), parseBlob(rest.substring(sp + 1)));
    }
}
