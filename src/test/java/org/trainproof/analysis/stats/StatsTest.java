package org.trainproof.analysis.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Known values come from published tables or scipy documentation examples (cited per assertion);
 * Monte Carlo references check the approximations at small sizes.
 */
class StatsTest {

    @Test
    void normal_cdf_matchesPublishedValues() {
        // Φ values: Abramowitz & Stegun Table 26.1 / scipy.stats.norm.cdf.
        assertEquals(0.5, Normal.cdf(0), 1e-16);
        assertEquals(0.9750021048517795, Normal.cdf(1.96), 1e-15);
        assertEquals(0.0013498980316301, Normal.cdf(-3), 1e-16);
        assertEquals(0.15729920705028513, Normal.erfc(1.0), 1e-16); // erfc(1), A&S Table 7.1
        assertEquals(6.22096057427178e-16, Normal.sf(8), 1e-28); // scipy.stats.norm.sf(8)
        assertEquals(1.959963984540054, Normal.quantile(0.975), 1e-12);
        assertEquals(-3.090232306167813, Normal.quantile(0.001), 1e-11);
        for (double p : new double[] {1e-10, 0.01, 0.3, 0.5, 0.77, 0.999999}) {
            assertEquals(p, Normal.cdf(Normal.quantile(p)), p * 1e-12);
        }
    }

    @Test
    void normal_cdf_agreesWithSimpsonIntegrationOfDensity() {
        // Reference implementation: Φ(x) = 1/2 + ∫_0^x φ by composite Simpson on 20,000 panels.
        for (double x : new double[] {-4, -1.5, -0.3, 0.7, 2.2, 3.9}) {
            int m = 20000;
            double h = x / m, s = Normal.pdf(0) + Normal.pdf(x);
            for (int i = 1; i < m; i++) s += (i % 2 == 1 ? 4 : 2) * Normal.pdf(i * h);
            assertEquals(0.5 + s * h / 3, Normal.cdf(x), 1e-12, "x=" + x);
        }
    }

    @Test
    void kolmogorov_limitingDistribution_matchesCriticalValues() {
        // Critical values of the Kolmogorov distribution (Smirnov 1948 table; scipy.special.kolmogorov):
        // Q(1.2238)=0.10, Q(1.3581)=0.05, Q(1.6276)=0.01, Q(1.9495)=0.001.
        assertEquals(0.10, Kolmogorov.qks(1.2238), 2e-4);
        assertEquals(0.05, Kolmogorov.qks(1.3581), 2e-4);
        assertEquals(0.01, Kolmogorov.qks(1.6276), 1e-4);
        assertEquals(0.001, Kolmogorov.qks(1.9495), 1e-5);
        // The two series agree where they meet.
        assertEquals(Kolmogorov.qks(1.1799999), Kolmogorov.qks(1.18), 1e-6);
        assertEquals(1.0, Kolmogorov.qks(0.1), 1e-12);
    }

    @Test
    void kolmogorov_pValue_calibratedAgainstMonteCarloAtSmallN() {
        // Reference: the null distribution of D_n simulated directly (uniform samples vs U(0,1)).
        SplittableRandom rng = new SplittableRandom(7);
        for (int n : new int[] {5, 10, 40}) {
            int reps = 20000;
            double[] ds = new double[reps];
            for (int r = 0; r < reps; r++) {
                double[] u = new double[n];
                for (int i = 0; i < n; i++) u[i] = rng.nextDouble();
                ds[r] = Kolmogorov.statistic(u, x -> Math.max(0, Math.min(1, x)));
            }
            Arrays.sort(ds);
            for (double alpha : new double[] {0.05, 0.01}) {
                double crit = ds[(int) Math.round((1 - alpha) * reps)];
                double p = Kolmogorov.pValue(crit, n);
                assertEquals(alpha, p, alpha * 0.25 + 0.002, "n=" + n + " alpha=" + alpha);
            }
        }
    }

    @Test
    void kolmogorov_statistic_matchesHandComputedValue() {
        // Sample {0.1, 0.5, 0.9} vs U(0,1): D = max(1/3−0.1, 0.5−1/3, 2/3−0.5, 1−0.9, 0.9−2/3) = 0.2333…
        assertEquals(0.9 - 2.0 / 3, Kolmogorov.statistic(new double[] {0.9, 0.1, 0.5}, x -> x), 1e-15);
    }

    @Test
    void chiSquare_evenDf_matchesClosedForm() {
        // scipy.stats.chi2.sf(10, 4) = 0.04042768199451279; chi2.sf(3.84, 2) = exp(-1.92).
        assertEquals(0.04042768199451279, ChiSquare.sfEvenDf(10, 2), 1e-15);
        assertEquals(Math.exp(-1.92), ChiSquare.sfEvenDf(3.84, 1), 1e-15);
        // Large arguments stay finite and positive.
        // χ²_20 tail at 500: dominated by the last term e^{−250} 250^9/9! (relative error < 4 %).
        double p = ChiSquare.sfEvenDf(500, 10);
        double lastTerm = Math.exp(-250 + 9 * Math.log(250) - Math.log(362880));
        assertEquals(1.0, p / lastTerm, 0.04);
    }

    @Test
    void pValues_fisherCauchyHolm_knownValues() {
        // Fisher: X = −2(ln .01 + ln .01) = 18.4207; χ²_4 tail = e^{−9.2103}(1 + 9.2103) = 1.02103e-3.
        assertEquals(1.0210340371976183e-3, PValues.fisher(0.01, 0.01), 1e-12);
        // Cauchy: identical p-values combine to the same p (tan/arctan inverse); one p is returned as is.
        assertEquals(0.03, PValues.cauchy(0.03, 0.03, 0.03), 1e-12);
        assertEquals(0.5, PValues.cauchy(0.5), 1e-12);
        assertEquals(1e-20, PValues.cauchy(1e-20), 1e-30);
        // Liu & Xie: the combined p is dominated by the smallest p: cauchy(1e-6, 0.5) ≈ 2e-6.
        assertEquals(2e-6, PValues.cauchy(1e-6, 0.5), 1e-9);
        assertArrayEquals(new double[] {0.03, 0.06, 0.06}, PValues.holm(0.01, 0.04, 0.03), 1e-15);
        assertEquals(0.03, PValues.bonferroni(0.01, 0.04, 0.03), 1e-15);
    }

    @Test
    void cauchy_isValidUnderStrongDependence_byMonteCarlo() {
        // Ten copies of one uniform p (perfect dependence): size at α = 0.05 must stay ≈ 0.05.
        SplittableRandom rng = new SplittableRandom(3);
        int reps = 20000, rej = 0;
        for (int r = 0; r < reps; r++) {
            double u = rng.nextDouble();
            double[] ps = new double[10];
            Arrays.fill(ps, u);
            if (PValues.cauchy(ps) < 0.05) rej++;
        }
        assertEquals(0.05, rej / (double) reps, 0.006);
    }

    @Test
    void correlation_matchesScipyDocExamples() {
        // scipy.stats.spearmanr([1,2,3,4,5],[5,6,7,8,7]) -> 0.8207826816681233 (scipy docs example).
        assertEquals(0.8207826816681233,
                Correlation.spearman(new double[] {1, 2, 3, 4, 5}, new double[] {5, 6, 7, 8, 7}), 1e-14);
        // scipy.stats.pearsonr([1,2,3,4,5],[10,9,2.5,6,4]) -> -0.7426106572325057 (scipy docs example).
        assertEquals(-0.7426106572325057,
                Correlation.pearson(new double[] {1, 2, 3, 4, 5}, new double[] {10, 9, 2.5, 6, 4}), 1e-14);
        assertArrayEquals(new double[] {1, 2.5, 2.5, 4}, Correlation.ranks(new double[] {0.1, 3, 3, 7}), 0);
    }

    @Test
    void spearman_equalsTextbookFormulaWithoutTies_atEverySmallSize() {
        // Reference: ρ = 1 − 6 Σ d² / (n(n² − 1)) (no ties).
        SplittableRandom rng = new SplittableRandom(11);
        for (int n = 3; n <= 30; n++) {
            double[] x = new double[n], y = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = rng.nextDouble();
                y[i] = x[i] + rng.nextGaussian();
            }
            double[] rx = Correlation.ranks(x), ry = Correlation.ranks(y);
            double d2 = 0;
            for (int i = 0; i < n; i++) d2 += (rx[i] - ry[i]) * (rx[i] - ry[i]);
            assertEquals(1 - 6 * d2 / (n * ((double) n * n - 1)), Correlation.spearman(x, y), 1e-12, "n=" + n);
        }
    }

    @Test
    void spearman_pValue_hasNominalSizeUnderIndependence() {
        SplittableRandom rng = new SplittableRandom(5);
        int reps = 4000, rej = 0, n = 60;
        for (int r = 0; r < reps; r++) {
            double[] x = new double[n], y = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = rng.nextGaussian();
                y[i] = rng.nextGaussian();
            }
            if (Correlation.pValueTwoSided(Correlation.spearman(x, y), n) < 0.05) rej++;
        }
        assertEquals(0.05, rej / (double) reps, 0.012);
    }

    @Test
    void truncatedNormal_cdfAndKs() {
        var f = InitDistributions.truncatedNormal(0.02, 3);
        assertEquals(0.5, f.applyAsDouble(0), 1e-15);
        assertEquals(0.0, f.applyAsDouble(-0.0601), 0);
        assertEquals(1.0, f.applyAsDouble(0.0601), 0);
        // Samples of a 2σ-truncated normal (rejection sampling): KS against the truncated CDF accepts,
        // against the plain normal rejects (the OLMo-2 pitfall the catalogue warns of, W1).
        SplittableRandom rng = new SplittableRandom(9);
        double[] s = new double[20000];
        for (int i = 0; i < s.length; ) {
            double g = rng.nextGaussian();
            if (Math.abs(g) <= 2) s[i++] = 0.02 * g;
        }
        double pTrunc = Kolmogorov.pValue(Kolmogorov.statistic(s, InitDistributions.truncatedNormal(0.02, 2)), s.length);
        double pNorm = Kolmogorov.pValue(Kolmogorov.statistic(s, InitDistributions.normal(0.02)), s.length);
        assertTrue(pTrunc > 0.01, "truncated p=" + pTrunc);
        assertTrue(pNorm < 1e-6, "plain normal p=" + pNorm);
    }

    @Test
    void bf16_roundingAndDiscreteKs() {
        assertEquals(1.0, InitDistributions.toBf16(1.0), 0);
        assertEquals(1.0, InitDistributions.toBf16(1 + 0x1p-8), 0); // tie to even
        assertEquals(1 + 0x1p-6, InitDistributions.toBf16(1 + 1.5 * 0x1p-7), 0); // tie to even (up)
        assertEquals(0x1p-7, InitDistributions.ulp(1.0, "BF16"), 0);
        assertEquals(1 + 0x1p-7, InitDistributions.bf16Up(1.0), 0);
        assertEquals(1 - 0x1p-8, InitDistributions.bf16Down(1.0), 0);
        assertTrue(InitDistributions.isBf16(1 + 0x1p-7));
        // BF16-quantised normal samples: the discrete KS against the quantised CDF accepts.
        SplittableRandom rng = new SplittableRandom(13);
        double[] s = new double[50000];
        for (int i = 0; i < s.length; i++) s[i] = InitDistributions.toBf16(0.02 * rng.nextGaussian());
        var cdf = InitDistributions.normal(0.02);
        double d = Kolmogorov.statisticDiscrete(s, InitDistributions.bf16Left(cdf), InitDistributions.bf16Right(cdf));
        assertTrue(Kolmogorov.pValue(d, s.length) > 0.01, "D=" + d);
    }

    @Test
    void changePoint_findsPlantedShift() {
        SplittableRandom rng = new SplittableRandom(1);
        double[] x = new double[200];
        for (int i = 0; i < x.length; i++) x[i] = (i >= 120 ? 1.0 : 0.0) + 0.1 * rng.nextGaussian();
        double[] best = ChangePoint.largestShift(x, 10);
        assertEquals(120, best[0], 3);
        assertEquals(1.0, best[1], 0.15);
        assertEquals(0.1, ChangePoint.diffSigma(x), 0.03);
    }

    @Test
    void blockMedians_matchMediansOfEachBlock_lastBlockShorter() {
        assertEquals(1, ChangePoint.blockSize(4000, 4000));
        assertEquals(2, ChangePoint.blockSize(4001, 4000));
        assertEquals(5, ChangePoint.blockSize(18_581, 4000));
        double[] x = {5, 1, 3, 9, 7, 8, 2};
        // Blocks of 3: {5,1,3} -> 3, {9,7,8} -> 8, {2} -> 2.
        assertArrayEquals(new double[] {3, 8, 2}, ChangePoint.blockMedians(x, 3), 0);
        assertArrayEquals(x, ChangePoint.blockMedians(x, 1), 0);
    }
}
