package org.trainproof.merkle;

/**
 * The storage layout of golang.org/x/mod/sumdb/tlog: every complete subtree hash is stored once, at
 * an index that depends only on (level, n), in the order the hashes become known while appending.
 * Record n's leaf hash and the hashes of the subtrees it completes occupy the contiguous range
 * {@code [index(0, n), count(n + 1))}.
 */
public final class StoredHashIndex {
    private StoredHashIndex() {}

    /** Index of the n-th hash at {@code level} (level 0 = leaf hashes). Requires level >= 0, n >= 0. */
    public static long index(int level, long n) {
        if (level < 0 || n < 0) throw new IllegalArgumentException("negative level or n");
        for (int l = level; l > 0; l--) {
            n = 2 * n + 1;
        }
        long i = 0;
        for (; n > 0; n >>= 1) {
            i += n;
        }
        return i + level;
    }

    /** Number of stored hashes in a tree of {@code size} records. */
    public static long count(long size) {
        if (size < 0) throw new IllegalArgumentException("negative size");
        if (size == 0) return 0;
        long num = index(0, size - 1) + 1;
        for (long i = size - 1; (i & 1) != 0; i >>>= 1) {
            num++;
        }
        return num;
    }

    /** {level, n} for a stored-hash index (the inverse of {@link #index}). */
    public static long[] split(long index) {
        if (index < 0) throw new IllegalArgumentException("negative index");
        // Find the record n whose range holds index: a lower bound from index ~ 2n.
        long n = index / 2;
        long indexN = index(0, n);
        if (indexN > index) throw new IllegalStateException("bad math");
        while (true) {
            long x = indexN + 1 + Long.numberOfTrailingZeros(n + 1);
            if (x > index) break;
            n++;
            indexN = x;
        }
        int level = (int) (index - indexN);
        return new long[] {level, n >> level};
    }
}
