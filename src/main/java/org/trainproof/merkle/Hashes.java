package org.trainproof.merkle;

import java.security.MessageDigest;
import org.trainproof.bytes.Digest;

/** RFC 9162 §2.1.1 hashing with SHA-256: leaf = H(0x00 || data), node = H(0x01 || left || right). */
public final class Hashes {
    /** MTH({}) = SHA-256 of the empty string; not the hash of an empty leaf. */
    public static final Digest EMPTY_ROOT = Digest.sha256(new byte[0]);

    private Hashes() {}

    public static Digest leaf(byte[] data) {
        MessageDigest md = Digest.newSha256();
        md.update((byte) 0x00);
        md.update(data);
        return Digest.of(md.digest());
    }

    public static Digest node(Digest left, Digest right) {
        MessageDigest md = Digest.newSha256();
        md.update((byte) 0x01);
        left.updateInto(md);
        right.updateInto(md);
        return Digest.of(md.digest());
    }

    /** Node hash over arbitrary byte strings (the RFC hashes whatever it is given; used by vectors). */
    public static byte[] nodeRaw(byte[] left, byte[] right) {
        MessageDigest md = Digest.newSha256();
        md.update((byte) 0x01);
        md.update(left);
        md.update(right);
        return md.digest();
    }
}
