package org.trainproof.analysis.lineage;

import java.util.Arrays;

/**
 * Matching of hidden units by a similarity matrix (rows: units of model A, columns: units of
 * model B): the exact maximum-weight assignment (Hungarian / Kuhn–Munkres with potentials,
 * O(n²m)) and an injective greedy approximation (sort all similarities, take each pair whose row
 * and column are both still free) for large matrices. Both return {@code match[row] = column}.
 */
public final class Assignment {
    private Assignment() {}

    /** Maximum-weight assignment of every row to a distinct column. Requires rows ≤ columns. */
    public static int[] hungarianMax(double[][] sim) {
        int n = sim.length;
        if (n == 0) return new int[0];
        int m = sim[0].length;
        if (n > m) throw new IllegalArgumentException("rows (" + n + ") > columns (" + m + ")");
        // Shortest augmenting paths with potentials on cost = -sim (1-based arrays, e-maxx formulation).
        double[] u = new double[n + 1], v = new double[m + 1];
        int[] p = new int[m + 1], way = new int[m + 1];
        for (int i = 1; i <= n; i++) {
            p[0] = i;
            int j0 = 0;
            double[] minv = new double[m + 1];
            Arrays.fill(minv, Double.POSITIVE_INFINITY);
            boolean[] used = new boolean[m + 1];
            do {
                used[j0] = true;
                int i0 = p[j0], j1 = 0;
                double delta = Double.POSITIVE_INFINITY;
                double[] row = sim[i0 - 1];
                for (int j = 1; j <= m; j++) {
                    if (!used[j]) {
                        double cur = -row[j - 1] - u[i0] - v[j];
                        if (cur < minv[j]) {
                            minv[j] = cur;
                            way[j] = j0;
                        }
                        if (minv[j] < delta) {
                            delta = minv[j];
                            j1 = j;
                        }
                    }
                }
                for (int j = 0; j <= m; j++) {
                    if (used[j]) {
                        u[p[j]] += delta;
                        v[j] -= delta;
                    } else {
                        minv[j] -= delta;
                    }
                }
                j0 = j1;
            } while (p[j0] != 0);
            do {
                int j1 = way[j0];
                p[j0] = p[j1];
                j0 = j1;
            } while (j0 != 0);
        }
        int[] match = new int[n];
        for (int j = 1; j <= m; j++) if (p[j] != 0) match[p[j] - 1] = j - 1;
        return match;
    }

    /** Candidates kept per row by {@link #greedyMax}. */
    static final int GREEDY_CANDIDATES = 16;

    /**
     * Injective greedy matching: pairs taken in order of decreasing similarity among each row's
     * {@value #GREEDY_CANDIDATES} most similar columns; a row whose candidates are all taken gets
     * its most similar free column afterwards. O(n·m) plus a sort of n·16 pairs. Requires rows ≤ columns.
     */
    public static int[] greedyMax(double[][] sim) {
        int n = sim.length;
        if (n == 0) return new int[0];
        int m = sim[0].length;
        if (n > m) throw new IllegalArgumentException("rows (" + n + ") > columns (" + m + ")");
        int kc = Math.min(GREEDY_CANDIDATES, m);
        double[] candSim = new double[n * kc];
        int[] candCol = new int[n * kc];
        for (int i = 0; i < n; i++) topK(sim[i], kc, candSim, candCol, i * kc);
        int[] order = sortIndicesDescending(candSim);
        int[] match = new int[n];
        Arrays.fill(match, -1);
        boolean[] colUsed = new boolean[m];
        for (int k : order) {
            int i = k / kc, j = candCol[k];
            if (match[i] < 0 && !colUsed[j]) {
                match[i] = j;
                colUsed[j] = true;
            }
        }
        for (int i = 0; i < n; i++) {
            if (match[i] >= 0) continue;
            int best = -1;
            for (int j = 0; j < m; j++) if (!colUsed[j] && (best < 0 || sim[i][j] > sim[i][best])) best = j;
            match[i] = best;
            colUsed[best] = true;
        }
        return match;
    }

    /** The k largest entries of {@code row} (NaN treated as -inf) into out arrays at {@code at}. */
    private static void topK(double[] row, int k, double[] outSim, int[] outCol, int at) {
        int filled = 0, minPos = at;
        for (int j = 0; j < row.length; j++) {
            double v = Double.isNaN(row[j]) ? Double.NEGATIVE_INFINITY : row[j];
            if (filled < k) {
                int p = at + filled++;
                outSim[p] = v;
                outCol[p] = j;
                if (filled == k) minPos = argMin(outSim, at, k);
            } else if (v > outSim[minPos]) {
                outSim[minPos] = v;
                outCol[minPos] = j;
                minPos = argMin(outSim, at, k);
            }
        }
    }

    private static int argMin(double[] x, int at, int k) {
        int m = at;
        for (int q = at + 1; q < at + k; q++) if (x[q] < x[m]) m = q;
        return m;
    }

    /** Sum of sim[i][match[i]]. */
    public static double weight(double[][] sim, int[] match) {
        double s = 0;
        for (int i = 0; i < match.length; i++) s += sim[i][match[i]];
        return s;
    }

    private static int[] sortIndicesDescending(double[] x) {
        // Pack (value bits, index) into a long so a primitive sort does the work (NaN sorted last).
        int n = x.length;
        long[] packed = new long[n];
        // Use float precision of the similarity for the key: ties broken by index, deterministic.
        for (int i = 0; i < n; i++) {
            float f = Double.isNaN(x[i]) ? Float.NEGATIVE_INFINITY : (float) x[i];
            int fb = Float.floatToIntBits(f);
            int key = fb >= 0 ? fb : fb ^ 0x7fffffff; // monotone signed encoding
            packed[i] = ((long) ~key << 31) | i; // descending by value
        }
        Arrays.sort(packed);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = (int) (packed[i] & 0x7fffffffL);
        return out;
    }
}
