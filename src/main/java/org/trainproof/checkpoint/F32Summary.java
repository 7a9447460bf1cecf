package org.trainproof.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;

/**
 * Exact statistics and CountSketch of F32 elements in one pass, bit-identical to decoding into blocks
 * of {@link #BLOCK} doubles and calling {@link StatsAccumulator#addBlock} and
 * {@link TensorSketch.Builder#addBlock} on each block in order.
 *
 * <p>Why it is faster: the block statistics are two strictly ordered floating-point sums (Σx, then
 * Σ(x − mean)²), each a chain of dependent additions whose latency, not the arithmetic, sets the
 * speed. Here block b's second sum runs in the same loop as block b+1's first sum, so the two chains
 * overlap. The sketch of a finite block is then added from the same raw bits (L1-resident) by
 * {@link TensorSketch.Builder#addF32BitsFinite}: contiguous lanes, one hash per 64 elements. Blocks
 * with a non-finite element (rare) take the original per-block path; the results are the same either
 * way because both add the same values in the same order.
 *
 * <p>Not thread-safe: one instance per worker thread.
 */
final class F32Summary {
    static final int BLOCK = 4096;
    private final int[] bits = new int[BLOCK];
    private double[] cur = new double[BLOCK];
    private double[] prev = new double[BLOCK];
    // the pending block (first sum done, second sum not yet)
    private int prevN;
    private double prevMean;
    private double prevLo;
    private double prevHi;

    /**
     * Adds {@code m} F32 elements read little-endian from {@code buf} at byte {@code byteOff}, flat
     * indices {@code e0 ..}.
     */
    void add(ByteBuffer buf, int byteOff, int m, long e0, StatsAccumulator st, TensorSketch.Builder sk) {
        IntBuffer ints = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(byteOff).limit(byteOff + 4 * m).slice()
                .order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
        prevN = 0;
        for (int j = 0; j < m; j += BLOCK) {
            int n = Math.min(BLOCK, m - j);
            ints.get(j, bits, 0, n);
            long first = e0 + j;
            if (nonFinite(bits, n) == 0 && (n & 3) == 0) {
                fast(n, st);
                sk.addF32BitsFinite(first, bits, n);
            } else {
                flush(st);
                double[] x = cur;
                for (int i = 0; i < n; i++) x[i] = Float.intBitsToFloat(bits[i]);
                st.addBlock(x, n);
                sk.addBlock(first, x, n);
            }
        }
        flush(st);
    }

    private static int nonFinite(int[] b, int n) {
        int c = 0;
        for (int i = 0; i < n; i++) c += (b[i] & 0x7f800000) == 0x7f800000 ? 1 : 0;
        return c;
    }

    /** Finishes the pending block's second sum and merges it into {@code st}. */
    private void flush(StatsAccumulator st) {
        if (prevN == 0) return;
        double[] p = prev;
        double mb = prevMean;
        double q = 0;
        for (int i = 0; i < prevN; i++) {
            double d = p[i] - mb;
            q += d * d;
        }
        st.combine(prevN, mb, q, prevLo, prevHi);
        prevN = 0;
    }

    /** The statistics of a block of n finite elements (n a multiple of 4). */
    private void fast(int n, StatsAccumulator st) {
        final int[] b = bits;
        final double[] x = cur;
        final double[] p = prev;
        final double pm = prevMean;
        final int pn = prevN; // 0 or BLOCK: a pending block is always a full one
        double sum = 0;
        double q = 0;
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        long zeros = 0;
        int both = Math.min(n, pn);
        int i = 0;
        for (; i < both; i += 4) {
            for (int k = 0; k < 4; k++) {
                int v = b[i + k];
                double d = Float.intBitsToFloat(v);
                x[i + k] = d;
                sum += d;
                if (d < lo) lo = d;
                if (d > hi) hi = d;
                zeros += d == 0.0 ? 1 : 0;
                double dd = p[i + k] - pm;
                q += dd * dd;
            }
        }
        for (; i < n; i += 4) {
            for (int k = 0; k < 4; k++) {
                int v = b[i + k];
                double d = Float.intBitsToFloat(v);
                x[i + k] = d;
                sum += d;
                if (d < lo) lo = d;
                if (d > hi) hi = d;
                zeros += d == 0.0 ? 1 : 0;
            }
        }
        for (; i < pn; i++) {
            double dd = p[i] - pm;
            q += dd * dd;
        }
        if (pn > 0) st.combine(pn, pm, q, prevLo, prevHi);
        st.count += n;
        st.zeros += zeros;
        // this block becomes the pending one
        prevMean = sum / n;
        prevLo = lo;
        prevHi = hi;
        prevN = n;
        this.prev = x;
        this.cur = p;
        if (n != BLOCK) flush(st); // only full blocks may stay pending (see above)
    }
}
