package org.trainproof.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * W11 (the increments between checkpoints against i.i.d. noise): a trained-like path, whose increments are built from
 * gradient-like outer products, sits far above the Marchenko–Pastur edge; the smooth random-walk forger (a chord plus a
 * Brownian bridge of element-wise noise) sits at the edge, below {@link IncrementSpectrumCheck#GATE}. The gate's
 * calibration on the torch grid is next to it.
 */
class IncrementSpectrumCheckTest {
    private static double gauss(SplittableRandom r) {
        double u = r.nextDouble(), v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
    }

    /** Median of the per-interval edge ratios of a path of n+1 rows×cols matrices. */
    private static double medianRatio(double[][] path, int rows, int cols) {
        int n = path.length - 1;
        double[] d = new double[rows * cols];
        for (int k = 0; k < d.length; k++) d[k] = path[n][k] - path[0][k];
        double[] r = new double[n];
        for (int t = 0; t < n; t++) r[t] = IncrementSpectrumCheck.edgeRatio(path[0], d, path[t], path[t + 1], rows, cols);
        java.util.Arrays.sort(r);
        return r[n / 2];
    }

    @Test
    void edgeRatio_ofAKnownIncrement() {
        // x0 = a = 0 and d = 0: E = b, here the rank-1 matrix u vᵀ with u = v = (1/2, 1/2, 1/2, 1/2): λ_max(EᵀE) = |E|²_F = 1,
        // s² = 1/16, edge² = (√4 + √4)² = 16, so the ratio is 1 / (16 / 16) = 1.
        double[] x0 = new double[16], d = new double[16], a = new double[16], b = new double[16];
        for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++) b[i * 4 + j] = 0.5 * 0.5; // u = v = (1/2,1/2,1/2,1/2)
        assertEquals(1.0, IncrementSpectrumCheck.edgeRatio(x0, d, a, b, 4, 4), 1e-9);
        assertTrue(Double.isNaN(IncrementSpectrumCheck.edgeRatio(x0, d, a, a, 4, 4)), "no increment: no statistic");
    }

    @Test
    void trainedLikePathsPass_randomWalkAroundTheChordIsBelowTheGate() {
        SplittableRandom r = new SplittableRandom(11);
        for (int[] s : new int[][] {{32, 128}, {96, 128}, {64, 96}}) {
            int rows = s[0], cols = s[1], len = rows * cols, n = 30;
            // Trained-like: each step adds a few outer products (a batch's gradient), signed-normalised a little, plus noise.
            double[][] trained = new double[n + 1][len];
            for (int k = 0; k < len; k++) trained[0][k] = 0.02 * gauss(r);
            for (int t = 1; t <= n; t++) {
                System.arraycopy(trained[t - 1], 0, trained[t], 0, len);
                for (int b = 0; b < 4; b++) {
                    double[] u = new double[rows], v = new double[cols];
                    for (int i = 0; i < rows; i++) u[i] = gauss(r);
                    for (int j = 0; j < cols; j++) v[j] = gauss(r);
                    for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) trained[t][i * cols + j] += 1e-4 * u[i] * v[j];
                }
                for (int k = 0; k < len; k++) trained[t][k] += 2e-5 * gauss(r);
            }
            double tr = medianRatio(trained, rows, cols);
            assertTrue(tr > 2 * IncrementSpectrumCheck.GATE, rows + "x" + cols + " trained-like ratio " + tr);
            // The "walk" forger: the chord from trained[0] to trained[n] (by step) plus a per-element Brownian bridge.
            double[][] walk = new double[n + 1][len];
            double[] w = new double[len], wEnd = new double[len];
            double[][] ws = new double[n + 1][len];
            for (int t = 1; t <= n; t++) for (int k = 0; k < len; k++) ws[t][k] = ws[t - 1][k] + gauss(r) * Math.sqrt(1.0 / n);
            System.arraycopy(ws[n], 0, wEnd, 0, len);
            for (int t = 0; t <= n; t++) {
                double f = (double) t / n;
                for (int k = 0; k < len; k++) {
                    double dk = trained[n][k] - trained[0][k];
                    w[k] = ws[t][k] - f * wEnd[k];
                    walk[t][k] = trained[0][k] + f * dk + 3e-4 * w[k];
                }
            }
            double wr = medianRatio(walk, rows, cols);
            assertTrue(wr < IncrementSpectrumCheck.GATE && wr > 0.8, rows + "x" + cols + " random-walk ratio " + wr);
        }
    }
}
