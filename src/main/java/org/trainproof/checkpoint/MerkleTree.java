package org.trainproof.checkpoint;

import java.security.MessageDigest;
import java.util.List;
import org.trainproof.bytes.Digest;

/**
 * RFC 9162 §2.1.1 Merkle Tree Hash over a list of 32-byte digests used as leaf data:
 * leaf = SHA-256(0x00 || digest bytes), node = SHA-256(0x01 || left || right), the split point is the
 * largest power of two below n, and the root of the empty list is SHA-256 of the empty string.
 * (A local copy until the merkle package lands; the lead will keep one.)
 */
final class MerkleTree {
    private MerkleTree() {}

    static Digest root(List<Digest> leaves) {
        if (leaves.isEmpty()) return Digest.sha256(new byte[0]);
        return Digest.of(hash(leaves, 0, leaves.size()));
    }

    private static byte[] hash(List<Digest> leaves, int from, int to) {
        MessageDigest md = Digest.newSha256();
        int n = to - from;
        if (n == 1) {
            md.update((byte) 0x00);
            leaves.get(from).updateInto(md);
            return md.digest();
        }
        int k = Integer.highestOneBit(n - 1); // largest power of two < n
        byte[] l = hash(leaves, from, from + k);
        byte[] r = hash(leaves, from + k, to);
        md.update((byte) 0x01);
        md.update(l);
        md.update(r);
        return md.digest();
    }
}
