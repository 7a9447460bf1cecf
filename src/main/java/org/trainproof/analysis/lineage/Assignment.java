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

    /** Injective greedy matching: pairs taken in order of decreasing similarity. Requires rows ≤ columns. */
    public static int[] greedyMax(double[][] sim) {
        int n = sim.length;
        if (n == 0) return new int[0];
        int m = sim[0].length;
        if (n > m) throw new IllegalArgumentException("rows (" + n + ") > columns (" + m + ")");
        long total = (long) n * m;
        if (total > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("matrix too large for greedy matching");
        double[] flat = new double[(int) total];
        for (int i = 0; i < n; i++) System.arraycopy(sim[i], 0, flat, i * m, m);
        int[] order = sortIndicesDescending(flat);
        int[] match = new int[n];
        Arrays.fill(match, -1);
        boolean[] colUsed = new boolean[m];
        int assigned = 0;
        for (int k = 0; k < order.length && assigned < n; k++) {
            int i = order[k] / m, j = order[k] % m;
            if (match[i] < 0 && !colUsed[j]) {
                match[i] = j;
                colUsed[j] = true;
                assigned++;
            }
        }
        return match;
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
