package org.trainproof.analysis.lineage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Textbook and published values for the lineage numerics. */
class LineageNumericsTest {

    @Test
    void pearson_anscombeQuartetI_is0816() {
        // Anscombe (1973), data set I: r = 0.816 (0.81642).
        double[] x = {10, 8, 13, 9, 11, 14, 6, 4, 12, 7, 5};
        double[] y = {8.04, 6.95, 7.58, 8.81, 8.33, 9.96, 7.24, 4.26, 10.84, 4.82, 5.68};
        assertEquals(0.81642, LineageNumerics.pearson(x, y), 5e-5);
    }

    @Test
    void spearman_iqVersusTelevision_isMinus29Over165() {
        // Classic worked example (IQ vs hours of TV per week, 10 people): rho = -29/165.
        double[] iq = {106, 100, 86, 101, 99, 103, 97, 113, 112, 110};
        double[] tv = {7, 27, 2, 50, 28, 29, 20, 12, 6, 17};
        assertEquals(-29.0 / 165, LineageNumerics.spearman(iq, tv), 1e-12);
    }

    @Test
    void ranks_tiesGetAverageRank() {
        assertArrayEquals(new double[] {1, 2.5, 2.5, 4}, LineageNumerics.ranks(new double[] {1, 5, 5, 9}));
    }

    private static void assertArrayEquals(double[] e, double[] a) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(e, a, 1e-12);
    }

    @Test
    void studentT_tableCriticalValues() {
        // t table: t(0.975; 10) = 2.228, t(0.995; 20) = 2.845, t(0.95; 5) = 2.015; Cauchy: P(T >= 1; 1) = 0.25.
        assertEquals(0.025, LineageNumerics.studentTUpper(2.228, 10), 2e-5);
        assertEquals(0.005, LineageNumerics.studentTUpper(2.845, 20), 1e-5);
        assertEquals(0.05, LineageNumerics.studentTUpper(2.015, 5), 5e-5);
        assertEquals(0.25, LineageNumerics.studentTUpper(1.0, 1), 1e-12);
        assertEquals(0.75, LineageNumerics.studentTUpper(-1.0, 1), 1e-12);
    }

    @Test
    void correlationP_largeN_matchesNormalTail() {
        // r = 0.06 at d = 4096 is about 3.84 sigma (catalogue W8): one-sided p ≈ 6.2e-5.
        double p = LineageNumerics.correlationPUpper(0.06, 4096);
        assertEquals(6.2e-5, p, 0.4e-5);
        assertEquals(0.0, LineageNumerics.correlationPUpper(1.0, 10));
    }

    @Test
    void chiSquare_tableCriticalValues() {
        // chi-square table: 5.991 (df 2, 0.05), 9.488 (df 4, 0.05), 13.277 (df 4, 0.01), 18.307 (df 10, 0.05).
        assertEquals(0.05, Math.exp(LineageNumerics.logChiSquareUpperEvenDf(5.991, 1)), 2e-5);
        assertEquals(0.05, Math.exp(LineageNumerics.logChiSquareUpperEvenDf(9.488, 2)), 2e-5);
        assertEquals(0.01, Math.exp(LineageNumerics.logChiSquareUpperEvenDf(13.277, 2)), 2e-6);
        assertEquals(0.05, Math.exp(LineageNumerics.logChiSquareUpperEvenDf(18.307, 5)), 2e-5);
    }

    @Test
    void chiSquare_farTail_staysFiniteInLogSpace() {
        // df 2: P = exp(-x/2) exactly, so ln P = -x/2 even where P underflows a double.
        assertEquals(-1000.0, LineageNumerics.logChiSquareUpperEvenDf(2000, 1), 1e-9);
    }

    @Test
    void fisher_singlePValue_isItself_andFloorApplies() {
        // With one p, X = -2 ln p and P(chi2_2 >= X) = p.
        assertEquals(Math.log(0.037), LineageNumerics.fisherLogP(new double[] {0.037}), 1e-12);
        // Three p-values: X = -2 ln(0.0006) = 14.8372, df 6: exp(-X/2)(1 + X/2 + (X/2)^2/2) = 0.0006 * 35.936 = 0.021562.
        assertEquals(0.021562, Math.exp(LineageNumerics.fisherLogP(new double[] {0.01, 0.2, 0.3})), 1e-6);
        assertTrue(Double.isFinite(LineageNumerics.fisherLogP(new double[] {0.0, 0.0})));
    }

    @Test
    void poissonUpper_closedForms() {
        // Poisson(1): P(X >= 1) = 1 - 1/e = 0.632121; P(X >= 3) = 1 - 2.5/e = 0.080301; P(X >= 0) = 1.
        assertEquals(0.632121, Math.exp(LineageNumerics.logPoissonUpper(1, 1.0)), 1e-6);
        assertEquals(0.080301, Math.exp(LineageNumerics.logPoissonUpper(3, 1.0)), 1e-6);
        assertEquals(0.0, LineageNumerics.logPoissonUpper(0, 0.5));
        // Far tail: P(X >= 128; 1) ≈ e^-1 / 128! (next terms add < 1 %): ln = -1 - ln 128!.
        assertEquals(-1 - LineageNumerics.logGamma(129), LineageNumerics.logPoissonUpper(128, 1.0), 0.01);
    }

    @Test
    void permutationP_isOnePlusBOverTPlusOne() {
        assertEquals(1.0 / 1000, LineageNumerics.permutationP(0, 999));
        assertEquals(1.0, LineageNumerics.permutationP(999, 999));
    }

    @Test
    void logGamma_factorials() {
        assertEquals(Math.log(24), LineageNumerics.logGamma(5), 1e-12);
        assertEquals(0.5 * Math.log(Math.PI), LineageNumerics.logGamma(0.5), 1e-12);
    }

    @Test
    void momentPredictedCosine_catalogueExamples() {
        // Catalogue §1.1: mu = 1, sigma = 0.1 for both -> 0.990; mu = 0.3, sigma = 0.1 -> 0.900.
        assertEquals(0.990, LineageNumerics.momentPredictedCosine(1, 0.1, 1, 0.1), 5e-4);
        assertEquals(0.900, LineageNumerics.momentPredictedCosine(0.3, 0.1, 0.3, 0.1), 5e-4);
    }
}
