package org.trainproof.merkle;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency) verification over raw byte strings, so
 * that malformed inputs (wrong lengths) from untrusted files are rejected before any hashing.
 * Each method returns normally on success and throws {@link ProofException} on any failure.
 */
public final class Proofs {
    private static final int HASH = 32;

    private Proofs() {}

    /** Verifies that {@code leafHash} is record {@code index} of the tree of {@code size} with {@code root}. */
    public static void verifyInclusion(long index, long size, byte[] leafHash, List<byte[]> proof, byte[] root)
            throws ProofException {
        byte[] calc = rootFromInclusion(index, size, leafHash, proof);
        if (root == null || root.length != HASH) throw new ProofException("root is not 32 bytes");
        if (!MessageDigest.isEqual(calc, root)) throw new ProofException("calculated root differs from the expected root");
    }

    /** The root an inclusion proof implies (compute); callers compare separately. */
    public static byte[] rootFromInclusion(long index, long size, byte[] leafHash, List<byte[]> proof)
            throws ProofException {
        if (size <= 0 || index < 0 || index >= size) throw new ProofException("index " + index + " out of range for size " + size);
        if (leafHash == null || leafHash.length != HASH) throw new ProofException("leaf hash is not 32 bytes");
        checkElements(proof);
        int inner = 64 - Long.numberOfLeadingZeros(index ^ (size - 1));
        int expectedLen = inner + Long.bitCount(index >>> inner);
        if (proof.size() != expectedLen) {
            throw new ProofException("inclusion proof has " + proof.size() + " hashes, expected " + expectedLen);
        }
        long fn = index;
        long sn = size - 1;
        byte[] r = leafHash;
        for (byte[] p : proof) {
            if (sn == 0) throw new ProofException("inclusion proof too long");
            if ((fn & 1) == 1 || fn == sn) {
                r = Hashes.nodeRaw(p, r);
                if ((fn & 1) == 0) {
                    while ((fn & 1) == 0 && fn != 0) {
                        fn >>>= 1;
                        sn >>>= 1;
                    }
                }
            } else {
                r = Hashes.nodeRaw(r, p);
            }
            fn >>>= 1;
            sn >>>= 1;
        }
        if (sn != 0) throw new ProofException("inclusion proof too short");
        return r;
    }

    /**
     * Verifies that the tree of {@code size2} with {@code root2} extends the tree of {@code size1}
     * with {@code root1}. Policy for size1 = 0: rejected (transparency-dev/merkle since PR #236);
     * an auditor never holds a signed size-0 checkpoint of a ledger, whose genesis entry is written
     * by init.
     */
    public static void verifyConsistency(long size1, long size2, byte[] root1, byte[] root2, List<byte[]> proof)
            throws ProofException {
        if (size1 < 0 || size2 < 0) throw new ProofException("negative tree size");
        if (size2 < size1) throw new ProofException("size2 " + size2 + " < size1 " + size1);
        if (proof == null) throw new ProofException("missing proof");
        if (size1 == 0) throw new ProofException("consistency from the empty tree is not accepted");
        if (size1 == size2) {
            // Equal sizes: nothing to prove; the two roots must be the same bytes.
            if (!proof.isEmpty()) throw new ProofException("equal sizes need an empty proof");
            if (root1 == null || root2 == null || !MessageDigest.isEqual(root1, root2)) {
                throw new ProofException("equal sizes with different roots");
            }
            return;
        }
        if (root1 == null || root1.length != HASH || root2 == null || root2.length != HASH) {
            throw new ProofException("root is not 32 bytes");
        }
        checkElements(proof);
        if (proof.isEmpty()) throw new ProofException("empty consistency proof");
        int lvl = 64 - Long.numberOfLeadingZeros((size1 - 1) ^ (size2 - 1));
        int shift = Long.numberOfTrailingZeros(size1);
        int expectedLen = (Long.bitCount(size1) == 1 ? 0 : 1) + (lvl - shift) + Long.bitCount((size1 - 1) >>> lvl);
        if (proof.size() != expectedLen) {
            throw new ProofException("consistency proof has " + proof.size() + " hashes, expected " + expectedLen);
        }
        List<byte[]> path = new ArrayList<>(proof);
        if (Long.bitCount(size1) == 1) path.add(0, root1);
        long fn = size1 - 1;
        long sn = size2 - 1;
        while ((fn & 1) == 1) {
            fn >>>= 1;
            sn >>>= 1;
        }
        byte[] fr = path.get(0);
        byte[] sr = path.get(0);
        for (int i = 1; i < path.size(); i++) {
            byte[] c = path.get(i);
            if (sn == 0) throw new ProofException("consistency proof too long");
            if ((fn & 1) == 1 || fn == sn) {
                fr = Hashes.nodeRaw(c, fr);
                sr = Hashes.nodeRaw(c, sr);
                if ((fn & 1) == 0) {
                    while ((fn & 1) == 0 && fn != 0) {
                        fn >>>= 1;
                        sn >>>= 1;
                    }
                }
            } else {
                sr = Hashes.nodeRaw(sr, c);
            }
            fn >>>= 1;
            sn >>>= 1;
        }
        if (sn != 0) throw new ProofException("consistency proof too short");
        if (!MessageDigest.isEqual(fr, root1)) throw new ProofException("calculated old root differs from the expected old root");
        if (!MessageDigest.isEqual(sr, root2)) throw new ProofException("calculated new root differs from the expected new root");
    }

    private static void checkElements(List<byte[]> proof) throws ProofException {
        if (proof == null) throw new ProofException("missing proof");
        for (int i = 0; i < proof.size(); i++) {
            if (proof.get(i) == null || proof.get(i).length != HASH) {
                throw new ProofException("proof hash " + i + " is not 32 bytes");
            }
        }
    }
}
