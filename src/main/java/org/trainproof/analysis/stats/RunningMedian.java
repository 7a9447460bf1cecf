package org.trainproof.analysis.stats;

import java.util.Arrays;

/** Centred running median (a robust baseline for spike detection that follows a trend). */
public final class RunningMedian {
    private RunningMedian() {}

    /**
     * m[i] = median of x[max(0, i−h) .. min(n−1, i+h)]: the window is clipped at the ends, not padded.
     * Requires h ≥ 0 and finite x. O(n·h): a sorted copy of the window is updated by one insertion and
     * one removal per index.
     */
    public static double[] centred(double[] x, int h) {
        if (h < 0) throw new IllegalArgumentException("h must be >= 0, got " + h);
        int n = x.length;
        double[] m = new double[n];
        if (n == 0) return m;
        double[] win = new double[Math.min(n, 2 * h + 1)];
        int size = 0;
        for (int j = 0; j <= Math.min(n - 1, h); j++) size = insert(win, size, x[j]);
        for (int i = 0; i < n; i++) {
            m[i] = size % 2 == 1 ? win[size / 2] : 0.5 * (win[size / 2 - 1] + win[size / 2]);
            int add = i + h + 1, drop = i - h;
            if (drop >= 0) size = remove(win, size, x[drop]);
            if (add < n) size = insert(win, size, x[add]);
        }
        return m;
    }

    private static int insert(double[] a, int size, double v) {
        int at = Arrays.binarySearch(a, 0, size, v);
        if (at < 0) at = -at - 1;
        System.arraycopy(a, at, a, at + 1, size - at);
        a[at] = v;
        return size + 1;
    }

    private static int remove(double[] a, int size, double v) {
        int at = Arrays.binarySearch(a, 0, size, v);
        if (at < 0) throw new IllegalStateException("value not in window: " + v);
        System.arraycopy(a, at + 1, a, at, size - at - 1);
        return size - 1;
    }
}
