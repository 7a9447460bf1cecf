package org.trainproof.analysis.stats;

import java.util.Arrays;

/** Combining p-values (verification-science.md §4.3). */
public final class PValues {
    private PValues() {}

    /** Smallest p-value reported; below it we say "&lt; 1e-300" (§4.3: guard against underflow). */
    public static final double FLOOR = 1e-300;

    /**
     * Fisher's method X = −2 Σ ln p_i ~ χ²_{2L}; valid only for independent p-values (e.g. one test
     * across tensors that are independent under its null).
     */
    public static double fisher(double... p) {
        if (p.length == 0) throw new IllegalArgumentException("no p-values");
        double x = 0;
        for (double v : p) x += -2 * Math.log(Math.max(FLOOR, Math.min(1.0, v)));
        return Math.max(FLOOR, ChiSquare.sfEvenDf(x, p.length));
    }

    /**
     * Cauchy combination test (Liu &amp; Xie 2020, JASA 115:393): T = Σ w_i tan((0.5 − p_i)π) with equal
     * weights summing to 1; p = 1/2 − arctan(T)/π. Valid under arbitrary dependence for small p
     * (the tail of T is approximately standard Cauchy). For p_i very small, tan((0.5−p)π) is computed
     * as 1/(p π) to avoid cancellation.
     */
    public static double cauchy(double... p) {
        if (p.length == 0) throw new IllegalArgumentException("no p-values");
        double t = 0;
        for (double v : p) {
            double q = Math.max(FLOOR, Math.min(1.0, v));
            t += (q < 1e-15 ? 1.0 / (q * Math.PI) : Math.tan((0.5 - q) * Math.PI)) / p.length;
        }
        double out;
        if (t > 1e15) out = 1.0 / (t * Math.PI); // arctan tail: 1/2 − arctan(t)/π ≈ 1/(πt)
        else out = 0.5 - Math.atan(t) / Math.PI;
        return Math.max(FLOOR, Math.min(1.0, out));
    }

    /** Bonferroni: min(1, L · min p). Valid under any dependence. */
    public static double bonferroni(double... p) {
        double m = Arrays.stream(p).min().orElseThrow();
        return Math.min(1.0, m * p.length);
    }

    /**
     * Holm step-down adjusted p-values (Holm 1979), in the input order; family-wise error control under
     * any dependence.
     */
    public static double[] holm(double... p) {
        int n = p.length;
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        Arrays.sort(idx, (a, b) -> Double.compare(p[a], p[b]));
        double[] adj = new double[n];
        double run = 0;
        for (int r = 0; r < n; r++) {
            double v = Math.min(1.0, (n - r) * p[idx[r]]);
            run = Math.max(run, v);
            adj[idx[r]] = run;
        }
        return adj;
    }
}
