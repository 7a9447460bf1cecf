package org.trainproof.analysis.stats;

import java.util.Arrays;

/** Pearson and Spearman correlation with large-sample p-values. */
public final class Correlation {
    private Correlation() {}

    /** Pearson's r; NaN if either vector is constant. Requires equal lengths &ge; 2. */
    public static double pearson(double[] x, double[] y) {
        check(x, y);
        int n = x.length;
        double mx = 0, my = 0;
        for (int i = 0; i < n; i++) {
            mx += x[i];
            my += y[i];
        }
        mx /= n;
        my /= n;
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < n; i++) {
            double a = x[i] - mx, b = y[i] - my;
            sxy += a * b;
            sxx += a * a;
            syy += b * b;
        }
        if (sxx == 0 || syy == 0) return Double.NaN;
        return Math.max(-1.0, Math.min(1.0, sxy / Math.sqrt(sxx * syy)));
    }

    /** Ranks 1..n with ties given their average rank (mid-ranks). */
    public static double[] ranks(double[] x) {
        int n = x.length;
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        Arrays.sort(idx, (a, b) -> Double.compare(x[a], x[b]));
        double[] r = new double[n];
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && x[idx[j + 1]] == x[idx[i]]) j++;
            double avg = (i + j) / 2.0 + 1.0;
            for (int k = i; k <= j; k++) r[idx[k]] = avg;
            i = j + 1;
        }
        return r;
    }

    /** Spearman's ρ = Pearson's r of the mid-ranks (handles ties). */
    public static double spearman(double[] x, double[] y) {
        check(x, y);
        return pearson(ranks(x), ranks(y));
    }

    /**
     * Two-sided p-value of a correlation r on n pairs under independence, by the normal approximation
     * r·√(n−1) ~ N(0, 1) (the exact null variance of Spearman's ρ is 1/(n−1); Kendall &amp; Stuart,
     * Advanced Theory of Statistics vol. 2, §31.19). Requires n &ge; 3; reasonable for n &ge; 20.
     */
    public static double pValueTwoSided(double r, long n) {
        if (n < 3) throw new IllegalArgumentException("need n >= 3");
        if (Double.isNaN(r)) return 1.0;
        double z = Math.abs(r) * Math.sqrt(n - 1.0);
        return Math.min(1.0, 2 * Normal.sf(z));
    }

    private static void check(double[] x, double[] y) {
        if (x.length != y.length) throw new IllegalArgumentException("lengths differ: " + x.length + " vs " + y.length);
        if (x.length < 2) throw new IllegalArgumentException("need at least 2 pairs");
    }

    /** Cosine similarity ⟨a,b⟩/(‖a‖‖b‖); NaN if either is zero. */
    public static double cosine(double[] a, double[] b) {
        check(a, b);
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += a[i] * b[i];
            aa += a[i] * a[i];
            bb += b[i] * b[i];
        }
        if (aa == 0 || bb == 0) return Double.NaN;
        return ab / Math.sqrt(aa * bb);
    }
}
