package org.trainproof.checkpoint;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.trainproof.bytes.Digest;

/**
 * Documented, name-derived seeds and the SplitMix64 generator behind coordinate samples and sketches.
 *
 * <p>seed(purpose, name) = the first 8 bytes, big-endian, of SHA-256(UTF-8("trainproof/" + purpose +
 * "/v1\n" + name)). SplitMix64 is Steele, Lea &amp; Flood, "Fast splittable pseudorandom number
 * generators" (OOPSLA 2014): state += 0x9E3779B97F4A7C15, then the {@link #mix64} finalizer.
 * Because seeds depend only on the tensor name, every checkpoint of a tensor is sampled and sketched
 * the same way, so samples and sketches of two checkpoints can be compared.
 */
public final class Seeds {
    public static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private Seeds() {}

    public static long seed(String purpose, String tensorName) {
        byte[] h = Digest.sha256(("trainproof/" + purpose + "/v1\n" + tensorName).getBytes(StandardCharsets.UTF_8))
                .toByteArray();
        return ByteBuffer.wrap(h, 0, 8).getLong();
    }

    /** The SplitMix64 output function (a variant of MurmurHash3's fmix64, constants from the paper). */
    public static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A SplitMix64 stream. Not thread-safe. */
    public static final class SplitMix64 {
        private long state;

        public SplitMix64(long seed) {
            this.state = seed;
        }

        public long nextLong() {
            state += GOLDEN_GAMMA;
            return mix64(state);
        }

        /** Uniform in [0, bound) for bound &gt; 0, by unsigned remainder (bias below bound / 2^64). */
        public long nextLong(long bound) {
            return Long.remainderUnsigned(nextLong(), bound);
        }

        /** Uniform in [0, 1) with 53 random bits. */
        public double nextDouble() {
            return (nextLong() >>> 11) * 0x1.0p-53;
        }
    }

    /**
     * k distinct positions in [0, count) drawn from SplitMix64(seed) by unsigned remainder, skipping
     * repeats, sorted ascending; all positions 0..count-1 when count &le; k.
     */
    public static long[] distinctSortedPositions(long seed, long count, int k) {
        if (count <= k) {
            long[] all = new long[(int) count];
            for (int i = 0; i < all.length; i++) all[i] = i;
            return all;
        }
        SplitMix64 rng = new SplitMix64(seed);
        java.util.HashSet<Long> seen = new java.util.HashSet<>(k * 2);
        long[] out = new long[k];
        int n = 0;
        while (n < k) {
            long p = rng.nextLong(count);
            if (seen.add(p)) out[n++] = p;
        }
        java.util.Arrays.sort(out);
        return out;
    }
}
