package org.trainproof.merkle;

/**
 * C2SP tlog-tiles arithmetic (for an optional static export of a ledger's tree): tile index path
 * encoding and the tiles that exist at a tree size. Tiles hold 256 hashes.
 */
public final class Tiles {
    public static final int WIDTH = 256;

    private Tiles() {}

    /** Tile index path: 3-digit groups, all but the last prefixed with 'x' (1234067 → x001/x234/067). */
    public static String indexPath(long n) {
        if (n < 0) throw new IllegalArgumentException("negative tile index");
        String last = String.format("%03d", n % 1000);
        StringBuilder sb = new StringBuilder();
        for (long rest = n / 1000; rest > 0; rest /= 1000) {
            sb.insert(0, String.format("x%03d/", rest % 1000));
        }
        return sb + last;
    }

    /** Number of full tiles at {@code level} for a tree of {@code size}: floor(size / 256^(level+1)). */
    public static long fullTiles(long size, int level) {
        return (size >>> (8 * (level + 1)));
    }

    /** Width of the partial tile at {@code level}: floor(size / 256^level) mod 256 (0: none). */
    public static int partialWidth(long size, int level) {
        return (int) ((size >>> (8 * level)) & 0xff);
    }
}
