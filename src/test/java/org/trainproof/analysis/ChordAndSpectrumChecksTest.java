package org.trainproof.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.trainproof.analysis.stats.InitDistributions;
import org.trainproof.verdict.CheckResult;
import org.trainproof.verdict.CheckStatus;

/**
 * W9 (step-0 spectrum vs Marchenko–Pastur) and W10 (trajectory against its chord): i.i.d. inits and genuine toy
 * AdamW trajectories pass; a pretrained matrix mixed into the init, straight lines and lines with per-checkpoint
 * noise fail; too little evidence is INCONCLUSIVE/NOT_RUN, never PASS. The thresholds' calibration on the torch
 * grid is in docs/calibration-logs.md ("Step-0 spectrum and trajectory chord").
 */
class ChordAndSpectrumChecksTest {
    private static double[] gaussian(SplittableRandom r, int n, double sd) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = sd * nextGaussian(r);
        return a;
    }

    private static double nextGaussian(SplittableRandom r) {
        double u = r.nextDouble(), v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
    }

    /** A "pretrained" rows×cols matrix: rank-4 structure plus small noise, rescaled to RMS sd. */
    private static double[] lowRank(SplittableRandom r, int rows, int cols, double sd) {
        double[] a = gaussian(r, rows * cols, 0.2);
        for (int k = 0; k < 4; k++) {
            double[] u = gaussian(r, rows, 1), v = gaussian(r, cols, 1);
            for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) a[i * cols + j] += u[i] * v[j] / (k + 1);
        }
        double ss = 0;
        for (double x : a) ss += x * x;
        double f = sd / Math.sqrt(ss / a.length);
        for (int i = 0; i < a.length; i++) a[i] *= f;
        return a;
    }

    @Test
    void topEigenvalue_ofAKnownMatrix() {
        // A = [[3,0,0],[0,2,0],[0,0,1],[0,0,0]] has singular values 3, 2, 1: λ_max(AᵀA) = 9 (both iteration sides).
        double[] a = {3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0};
        assertEquals(9.0, InitSpectrumCheck.topEigenvalue(a, 4, 3), 1e-6);
        double[] t = {3, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1, 0};
        assertEquals(9.0, InitSpectrumCheck.topEigenvalue(t, 3, 4), 1e-6);
    }

    @Test
    void w9_iidInitsPass_mixedAndDerivedFail() {
        SplittableRandom r = new SplittableRandom(7);
        int[][] shapes = {{16, 32}, {64, 32}, {96, 128}, {128, 32}, {200, 50}};
        for (int[] s : shapes) {
            int n = s[0] * s[1];
            for (int rep = 0; rep < 5; rep++) {
                double[] normal = gaussian(r, n, 0.02);
                double[] uniform = new double[n], trunc = new double[n], bf16 = new double[n];
                for (int i = 0; i < n; i++) {
                    uniform[i] = 0.05 * (2 * r.nextDouble() - 1);
                    double z;
                    do z = nextGaussian(r); while (Math.abs(z) > 2);
                    trunc[i] = 0.02 * z;
                    bf16[i] = InitDistributions.toBf16(normal[i]);
                }
                for (double[] a : List.of(normal, uniform, trunc, bf16)) {
                    var t = InitSpectrumCheck.test("w", a, s[0], s[1]);
                    assertTrue(t.z() < InitSpectrumCheck.Z_FAIL && t.z() > -6, "i.i.d. " + s[0] + "x" + s[1] + " z " + t.z());
                    assertTrue(t.edgeRatio() < 1.1, "edge ratio " + t.edgeRatio());
                }
            }
            // The calibration grid's constructions: pretrained rescaled to the claimed std; 0.6 x that + 0.8 x fresh noise.
            double[] pre = lowRank(r, s[0], s[1], 0.02), fresh = gaussian(r, n, 0.02), mixed = new double[n];
            for (int i = 0; i < n; i++) mixed[i] = 0.6 * pre[i] + 0.8 * fresh[i];
            assertTrue(InitSpectrumCheck.test("w", pre, s[0], s[1]).z() > InitSpectrumCheck.Z_FAIL);
            assertTrue(InitSpectrumCheck.test("w", mixed, s[0], s[1]).z() > InitSpectrumCheck.Z_FAIL, "mixed " + s[0] + "x" + s[1]);
        }
        assertEquals(null, InitSpectrumCheck.test("w", new double[64], 8, 8), "all-zero matrices are not tested (W1 checks zeros)");
    }

    @Test
    void w9_blockIsBounded() {
        int[] b = InitSpectrumCheck.block(50_000, 4096);
        assertTrue((long) b[0] * b[1] <= InitSpectrumCheck.MAX_ELEMENTS && b[0] >= InitSpectrumCheck.MIN_DIM && b[1] >= InitSpectrumCheck.MIN_DIM);
        int[] c = InitSpectrumCheck.block(8, 10_000_000);
        assertTrue((long) c[0] * c[1] <= InitSpectrumCheck.MAX_ELEMENTS && c[0] == 8, java.util.Arrays.toString(c));
        assertEquals(List.of(96, 128), List.of(InitSpectrumCheck.block(96, 128)[0], InitSpectrumCheck.block(96, 128)[1]));
    }

    /** The toy run's input with exact values (as analyze reads them from files) instead of ledger samples. */
    private static AnalysisInput exact(ToyRun run) {
        TensorValues v = (step, tensor, pos) -> {
            double[] all = run.saved.get(step).get(tensor), out = new double[pos.length];
            for (int i = 0; i < pos.length; i++) out[i] = all[(int) pos[i]];
            return out;
        };
        return new AnalysisInput(RunClaims.parse(run.config()), Map.of(), Trajectory.fromArtifacts(run.checkpoints(), v, 1L, 256), List.of(), null);
    }

    @Test
    void w9_onRunInputs_genuinePasses_mixedInitFails_ledgerOnlyIsNotRun() {
        InitSpectrumCheck c = new InitSpectrumCheck();
        for (long s = 1; s <= 4; s++) {
            ToyRun g = ToyRun.genuine(s);
            CheckResult ok = c.run(exact(g));
            assertEquals(CheckStatus.PASS, ok.status(), ok.detail());
            assertEquals(2L, ok.n());
            assertEquals(CheckStatus.NOT_RUN, c.run(g.input()).status(), "ledger samples are not matrices");
            SplittableRandom r = new SplittableRandom(s);
            double[] w1 = g.saved.get(0L).get("w1"), pre = lowRank(r, 48, 32, 0.02);
            for (int i = 0; i < w1.length; i++) w1[i] = (float) (0.6 * pre[i] + 0.8 * w1[i]);
            CheckResult bad = c.run(exact(g));
            assertEquals(CheckStatus.FAIL, bad.status(), bad.detail());
            assertTrue(bad.findings().stream().anyMatch(f -> f.code().equals(FindingCodes.W9_STEP0_SPECTRUM_SPIKE)
                    && f.location().tensor().equals("w1")));
        }
    }

    @Test
    void w10_genuinePasses_straightAndNoisyLinesFail() {
        TrajectoryChordCheck c = new TrajectoryChordCheck();
        for (long s = 1; s <= 6; s++) {
            ToyRun g = ToyRun.genuine(s);
            CheckResult ok = c.run(g.input());
            assertEquals(CheckStatus.PASS, ok.status(), ok.detail());
            assertTrue(ok.statistic() > 0.45, ok.detail());
            Map<String, double[]> w0 = g.saved.firstEntry().getValue(), fin = g.saved.lastEntry().getValue();
            CheckResult line = c.run(Scenarios.straightLine(g.saved.keySet(), w0, fin, 0, null).input());
            assertEquals(CheckStatus.FAIL, line.status(), line.detail());
            assertTrue(line.findings().get(0).code().equals(FindingCodes.W10_TRAJECTORY_ON_CHORD));
            for (double noise : new double[] {0.02, 0.1, 1.0}) {
                CheckResult noisy = c.run(Scenarios.straightLine(g.saved.keySet(), w0, fin, noise, new SplittableRandom(s)).input());
                assertEquals(CheckStatus.FAIL, noisy.status(), "noise " + noise + ": " + noisy.detail());
            }
        }
    }

    @Test
    void w10_lineAndNoiseRules_onSyntheticVectors() {
        TrajectoryChordCheck c = new TrajectoryChordCheck();
        SplittableRandom r = new SplittableRandom(3);
        int dim = 2000, n = 12;
        String[] f32 = new String[dim];
        java.util.Arrays.fill(f32, "F32");
        double[] x0 = gaussian(r, dim, 0.02), d = gaussian(r, dim, 0.01);
        // A random walk with drift (a continuous path): residuals accumulate, consecutive ones align.
        double[][] walk = new double[n][dim], noisy = new double[n][dim];
        double[] pos = x0.clone();
        for (int t = 0; t < n; t++) {
            if (t > 0) for (int k = 0; k < dim; k++) pos[k] += d[k] / (n - 1) + 0.003 * nextGaussian(r);
            walk[t] = pos.clone();
        }
        for (int t = 0; t < n; t++) {
            for (int k = 0; k < dim; k++) {
                double line = walk[0][k] + (walk[n - 1][k] - walk[0][k]) * t / (n - 1.0);
                noisy[t][k] = (t == 0 || t == n - 1) ? walk[t][k] : line + 0.003 * nextGaussian(r);
            }
        }
        assertEquals(CheckStatus.PASS, c.decide(0, 11, walk, f32, "test").status());
        CheckResult bad = c.decide(0, 11, noisy, f32, "test");
        assertEquals(CheckStatus.FAIL, bad.status(), bad.detail());
        assertEquals(FindingCodes.W10_RESIDUALS_INCOHERENT, bad.findings().get(0).code());
        // One interior checkpoint: the line rule can run, the coherence rule cannot -> INCONCLUSIVE, not PASS.
        double[][] three = {walk[0], walk[5], walk[11]};
        assertEquals(CheckStatus.INCONCLUSIVE, c.decide(0, 11, three, f32, "test").status());
        double[][] threeLine = {walk[0], new double[dim], walk[11]};
        for (int k = 0; k < dim; k++) threeLine[1][k] = (float) (0.5 * (walk[0][k] + walk[11][k]));
        assertEquals(CheckStatus.FAIL, c.decide(0, 11, threeLine, f32, "test").status());
        // BF16 with sub-ulp updates: every residual is at the rounding floor and the displacement is a few ulps -> INCONCLUSIVE.
        String[] bf = new String[dim];
        java.util.Arrays.fill(bf, "BF16");
        double[][] sub = new double[n][dim];
        double[] true0 = gaussian(r, dim, 0.02), drift = new double[dim];
        double[] p = true0.clone();
        for (int t = 0; t < n; t++) {
            for (int k = 0; k < dim; k++) {
                if (t > 0) {
                    drift[k] = 0.8 * drift[k] + 2e-5 * nextGaussian(r);
                    p[k] += drift[k] + 1e-5;
                }
                sub[t][k] = InitDistributions.toBf16(p[k]);
            }
        }
        CheckResult floor = c.decide(0, 11, sub, bf, "test");
        assertTrue(floor.status() != CheckStatus.FAIL, floor.detail());
        // Too few checkpoints and no movement are said, not passed.
        assertEquals(CheckStatus.INCONCLUSIVE, c.decide(0, 2, new double[][] {x0, x0, x0}, f32, "test").status());
        assertEquals(CheckStatus.NOT_RUN, c.run(new AnalysisInput(null, Map.of(), Trajectory.empty(), List.of(), null)).status());
    }
}
