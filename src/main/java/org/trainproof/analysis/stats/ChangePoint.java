package org.trainproof.analysis.stats;

import java.util.Arrays;

/** Robust scale and a single mean-shift change-point scan (for level shifts in residual series). */
public final class ChangePoint {
    private ChangePoint() {}

    /** Median of x (not modified). */
    public static double median(double[] x) {
        if (x.length == 0) return Double.NaN;
        double[] s = x.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    }

    /**
     * Block size that reduces n points to at most {@code maxPoints} blocks: ⌈n / maxPoints⌉ (1 when n fits).
     * Requires maxPoints ≥ 1.
     */
    public static int blockSize(int n, int maxPoints) {
        return Math.max(1, (n + maxPoints - 1) / maxPoints);
    }

    /** Medians of consecutive blocks of {@code b} points of x (the last block may be shorter). Requires b ≥ 1. */
    public static double[] blockMedians(double[] x, int b) {
        double[] out = new double[(x.length + b - 1) / b];
        for (int k = 0; k < out.length; k++) out[k] = median(Arrays.copyOfRange(x, k * b, Math.min(x.length, k * b + b)));
        return out;
    }

    /**
     * Robust σ of the step-to-step noise: MAD of first differences / (0.6745·√2) — the first-difference
     * MAD is insensitive to level shifts and to a smooth trend (1.4826 = 1/0.6745 is the normal-consistency
     * factor of the MAD).
     */
    public static double diffSigma(double[] x) {
        if (x.length < 3) return Double.NaN;
        double[] d = new double[x.length - 1];
        for (int i = 0; i < d.length; i++) d[i] = x[i + 1] - x[i];
        double m = median(d);
        double[] a = new double[d.length];
        for (int i = 0; i < d.length; i++) a[i] = Math.abs(d[i] - m);
        return median(a) / 0.6744897501960817 / Math.sqrt(2);
    }

    /**
     * Level shift at index i (between x[i−1] and x[i]): difference of the medians of the w points after
     * and the w points before. Returns {index, shift} of the largest |shift| for w ≤ i ≤ n−w.
     */
    public static double[] largestShift(double[] x, int w) {
        double best = 0;
        int at = -1;
        for (int i = w; i <= x.length - w; i++) {
            double before = median(Arrays.copyOfRange(x, i - w, i));
            double after = median(Arrays.copyOfRange(x, i, i + w));
            double s = after - before;
            if (Math.abs(s) > Math.abs(best)) {
                best = s;
                at = i;
            }
        }
        return new double[] {at, best};
    }
}
