package org.trainproof.merkle;

import java.util.ArrayList;
import java.util.List;
import org.trainproof.bytes.Digest;

/**
 * RFC 9162 §2.1 roots and proofs computed from stored hashes (the golang.org/x/mod/sumdb/tlog
 * algorithms): every operation reads O(log n) stored hashes through a {@link HashReader}.
 */
public final class Tree {
    private Tree() {}

    /** The stored hashes to write for record {@code n} with leaf hash {@code leaf}, in index order. */
    public static List<Digest> storedHashesFor(long n, Digest leaf, HashReader r) {
        if (n < 0) throw new IllegalArgumentException("negative record index");
        List<Digest> out = new ArrayList<>();
        out.add(leaf);
        int m = Long.numberOfTrailingZeros(n + 1);
        long[] indexes = new long[m];
        for (int i = 0; i < m; i++) {
            indexes[m - 1 - i] = StoredHashIndex.index(i, (n >> i) - 1);
        }
        Digest[] old = m == 0 ? new Digest[0] : r.read(indexes);
        Digest h = leaf;
        for (int i = 0; i < m; i++) {
            h = Hashes.node(old[m - 1 - i], h);
            out.add(h);
        }
        return out;
    }

    /** The root of the first {@code size} records. Requires size >= 0. */
    public static Digest root(long size, HashReader r) {
        if (size < 0) throw new IllegalArgumentException("negative size");
        if (size == 0) return Hashes.EMPTY_ROOT;
        List<Long> need = new ArrayList<>();
        subTreeIndex(0, size, need);
        Cursor c = new Cursor(r.read(toArray(need)));
        return subTreeHash(0, size, c);
    }

    /** RFC 9162 inclusion proof (PATH) for record {@code index} in a tree of {@code size}. Requires 0 <= index < size. */
    public static List<Digest> inclusionProof(long index, long size, HashReader r) {
        if (index < 0 || index >= size) throw new IllegalArgumentException("requires 0 <= index < size");
        List<Long> need = new ArrayList<>();
        leafProofIndex(0, size, index, need);
        Cursor c = new Cursor(r.read(toArray(need)));
        List<Digest> p = new ArrayList<>();
        leafProof(0, size, index, c, p);
        return p;
    }

    /** RFC 9162 consistency proof from {@code size1} to {@code size2}. Requires 0 < size1 <= size2. */
    public static List<Digest> consistencyProof(long size1, long size2, HashReader r) {
        if (size1 <= 0 || size1 > size2) throw new IllegalArgumentException("requires 0 < size1 <= size2");
        List<Long> need = new ArrayList<>();
        treeProofIndex(0, size2, size1, need);
        Cursor c = new Cursor(r.read(toArray(need)));
        List<Digest> p = new ArrayList<>();
        treeProof(0, size2, size1, c, p);
        return p;
    }

    private static final class Cursor {
        final Digest[] hashes;
        int pos;

        Cursor(Digest[] hashes) {
            this.hashes = hashes;
        }
    }

    /** Largest power of two strictly less than n (n >= 2), or 1 for n = 1; with its log2. */
    private static long maxpow2(long n) {
        int l = 0;
        while ((1L << (l + 1)) < n) l++;
        return 1L << l;
    }

    private static void subTreeIndex(long lo, long hi, List<Long> need) {
        while (lo < hi) {
            long k = maxpow2(hi - lo + 1);
            int level = Long.numberOfTrailingZeros(k);
            if ((lo & (k - 1)) != 0) throw new IllegalStateException("bad math in subTreeIndex");
            need.add(StoredHashIndex.index(level, lo >> level));
            lo += k;
        }
    }

    private static Digest subTreeHash(long lo, long hi, Cursor c) {
        int numTree = 0;
        while (lo < hi) {
            long k = maxpow2(hi - lo + 1);
            numTree++;
            lo += k;
        }
        int start = c.pos;
        c.pos += numTree;
        Digest h = c.hashes[start + numTree - 1];
        for (int i = numTree - 2; i >= 0; i--) {
            h = Hashes.node(c.hashes[start + i], h);
        }
        return h;
    }

    private static void leafProofIndex(long lo, long hi, long n, List<Long> need) {
        if (lo + 1 == hi) return;
        long k = maxpow2(hi - lo);
        if (n < lo + k) {
            leafProofIndex(lo, lo + k, n, need);
            subTreeIndex(lo + k, hi, need);
        } else {
            subTreeIndex(lo, lo + k, need);
            leafProofIndex(lo + k, hi, n, need);
        }
    }

    private static void leafProof(long lo, long hi, long n, Cursor c, List<Digest> out) {
        if (lo + 1 == hi) return;
        long k = maxpow2(hi - lo);
        Digest th;
        if (n < lo + k) {
            leafProof(lo, lo + k, n, c, out);
            th = subTreeHash(lo + k, hi, c);
        } else {
            th = subTreeHash(lo, lo + k, c);
            leafProof(lo + k, hi, n, c, out);
        }
        out.add(th);
    }

    private static void treeProofIndex(long lo, long hi, long n, List<Long> need) {
        if (n == hi) {
            if (lo == 0) return;
            subTreeIndex(lo, hi, need);
            return;
        }
        long k = maxpow2(hi - lo);
        if (n <= lo + k) {
            treeProofIndex(lo, lo + k, n, need);
            subTreeIndex(lo + k, hi, need);
        } else {
            subTreeIndex(lo, lo + k, need);
            treeProofIndex(lo + k, hi, n, need);
        }
    }

    private static void treeProof(long lo, long hi, long n, Cursor c, List<Digest> out) {
        if (n == hi) {
            if (lo == 0) return;
            out.add(subTreeHash(lo, hi, c));
            return;
        }
        long k = maxpow2(hi - lo);
        Digest th;
        if (n <= lo + k) {
            treeProof(lo, lo + k, n, c, out);
            th = subTreeHash(lo + k, hi, c);
        } else {
            th = subTreeHash(lo, lo + k, c);
            treeProof(lo + k, hi, n, c, out);
        }
        out.add(th);
    }

    private static long[] toArray(List<Long> l) {
        long[] a = new long[l.size()];
        for (int i = 0; i < a.length; i++) a[i] = l.get(i);
        return a;
    }
}
