package org.trainproof.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.trainproof.verdict.CheckResult;
import org.trainproof.verdict.CheckStatus;
import org.trainproof.verdict.Finding;

/** L4 rules on synthetic series, each on both sides of its threshold in {@link AnalysisConfig.L4#DEFAULT}. */
class SpikeGradNormCheckTest {
    private static final double NOISE = 0.02;

    /** Power-law loss (from-scratch shape) with Gaussian noise σ = 0.02; steps 10·i; {@code bump} added at indexes. */
    private static MetricSeries loss(long seed, int n, Map<Integer, Double> bump) {
        SplittableRandom rng = new SplittableRandom(seed);
        long[] st = new long[n];
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            st[i] = 10L * i;
            v[i] = 2.0 + 8.0 * Math.pow(1 + i / 5.0, -0.6) + NOISE * rng.nextGaussian() + bump.getOrDefault(i, 0.0);
        }
        return new MetricSeries(MetricSeries.TRAIN_LOSS, st, v);
    }

    /** Grad norm at steps first + 10·i: {@code 1 + jump·e^(−i/30)}, times log-normal noise (σ 0.05), times {@code factor} at indexes. */
    private static MetricSeries grad(long seed, int n, long first, double jump, Map<Integer, Double> factor) {
        SplittableRandom rng = new SplittableRandom(seed + 1000);
        long[] st = new long[n];
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            st[i] = first + 10L * i;
            v[i] = (1 + jump * Math.exp(-i / 30.0)) * Math.exp(0.05 * rng.nextGaussian()) * factor.getOrDefault(i, 1.0);
        }
        return new MetricSeries(MetricSeries.GRAD_NORM, st, v);
    }

    /** Flat grad norm ≈ 1 (±1 %), first three records set to {@code early}. */
    private static MetricSeries flatGrad(int n, long first, double early) {
        long[] st = new long[n];
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            st[i] = first + 10L * i;
            v[i] = i < 3 ? early : 1 + 0.01 * ((i % 5) - 2);
        }
        return new MetricSeries(MetricSeries.GRAD_NORM, st, v);
    }

    private static MetricSeries constantLr(int n, double lr) {
        long[] st = new long[n];
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            st[i] = 10L * i;
            v[i] = lr;
        }
        return new MetricSeries(MetricSeries.TRAIN_LR, st, v);
    }

    private static CheckResult run(ObjectNode claims, List<RunEvent> ev, MetricSeries... ms) {
        Map<String, MetricSeries> m = new HashMap<>();
        for (MetricSeries s : ms) m.put(s.metric(), s);
        CheckResult r = new SpikeGradNormCheck().run(new AnalysisInput(RunClaims.parse(claims), m, null, ev, null));
        // Soft: never a FAIL, never a p-value.
        assertNotEquals(CheckStatus.FAIL, r.status());
        assertNull(r.pValue());
        return r;
    }

    private static CheckResult run(MetricSeries... ms) {
        return run(null, List.of(), ms);
    }

    private static List<Finding> coded(CheckResult r, String code) {
        return r.findings().stream().filter(f -> f.code().equals(code)).toList();
    }

    @Test
    void smoothLoss_noSpike_over20Seeds() {
        int flagged = 0;
        for (long seed = 1; seed <= 20; seed++) {
            CheckResult r = run(loss(seed, 2000, Map.of()), grad(seed, 2000, 0, 9, Map.of()), constantLr(2000, 1e-3));
            assertEquals(CheckStatus.PASS, r.status(), r.detail());
            flagged += coded(r, FindingCodes.L4_LOSS_SPIKE).size();
        }
        assertEquals(0, flagged);
    }

    @Test
    void oneRecordSpike_8SigmaFoundAtItsStep_4SigmaNot() {
        for (long seed = 1; seed <= 10; seed++) {
            CheckResult big = run(loss(seed, 2000, Map.of(1200, 8 * NOISE)));
            List<Finding> f = coded(big, FindingCodes.L4_LOSS_SPIKE);
            assertEquals(1, f.size(), "seed " + seed + ": " + big.findings());
            assertEquals(12000L, f.get(0).location().step());
            assertTrue(f.get(0).statistic() > 6 && f.get(0).statistic() < 10, "z " + f.get(0).statistic());
            assertEquals(6.0, f.get(0).threshold());
            assertTrue(coded(run(loss(seed, 2000, Map.of(1200, 4 * NOISE))), FindingCodes.L4_LOSS_SPIKE).isEmpty(), "seed " + seed);
        }
    }

    @Test
    void spike_nearDeclaredEvent_hasItsOwnCode_andStaysInfo() {
        MetricSeries l = loss(3, 2000, Map.of(1200, 10 * NOISE));
        // n = 2000 → half-window 20 records = 200 steps.
        CheckResult near = run(null, List.of(new RunEvent(11900, "restart", "rewound 100 steps, skipped 300 batches")), l);
        assertEquals(1, coded(near, FindingCodes.L4_LOSS_SPIKE_NEAR_EVENT).size());
        assertTrue(coded(near, FindingCodes.L4_LOSS_SPIKE).isEmpty());
        CheckResult far = run(null, List.of(new RunEvent(11000, "restart", "")), l);
        assertEquals(1, coded(far, FindingCodes.L4_LOSS_SPIKE).size());
        assertTrue(near.findings().stream().allMatch(f -> f.severity() == org.trainproof.verdict.Severity.INFO));
    }

    @Test
    void excursionLongerThanHalfWindow_isALevelShiftNotASpike() {
        Map<Integer, Double> plateau = new HashMap<>();
        for (int i = 1200; i < 1260; i++) plateau.put(i, 10 * NOISE);
        assertTrue(coded(run(loss(5, 2000, plateau)), FindingCodes.L4_LOSS_SPIKE).isEmpty());
        Map<Integer, Double> shortOne = new HashMap<>();
        for (int i = 1200; i < 1203; i++) shortOne.put(i, 10 * NOISE);
        assertEquals(1, coded(run(loss(5, 2000, shortOne)), FindingCodes.L4_LOSS_SPIKE).size());
    }

    @Test
    void gradNormSpike_leadingWithinWindow_counts_tooEarlyDoesNot() {
        MetricSeries l = loss(7, 2000, Map.of(1200, 10 * NOISE));
        MetricSeries lr = constantLr(2000, 1e-3);
        // Lead window 5 records: a grad-norm spike 2 records before the loss spike leads it; one 20 records before does not.
        CheckResult leads = run(l, grad(7, 2000, 0, 9, Map.of(1198, 3.0)), lr);
        List<Finding> f = coded(leads, FindingCodes.L4_GRAD_NORM_WITH_LOSS_SPIKES);
        assertEquals(1, f.size());
        assertEquals(1.0, f.get(0).statistic());
        assertEquals(1L, f.get(0).n());
        CheckResult early = run(l, grad(7, 2000, 0, 9, Map.of(1180, 3.0)), lr);
        assertEquals(0.0, coded(early, FindingCodes.L4_GRAD_NORM_WITH_LOSS_SPIKES).get(0).statistic());
        // Without loss spikes there is no fraction to report.
        assertTrue(coded(run(loss(7, 2000, Map.of()), grad(7, 2000, 0, 9, Map.of(1198, 3.0)), lr),
                FindingCodes.L4_GRAD_NORM_WITH_LOSS_SPIKES).isEmpty());
    }

    @Test
    void fromScratchTransient_passesEvenAtASmallLr() {
        CheckResult r = run(loss(1, 200, Map.of()), grad(1, 200, 0, 9, Map.of()), constantLr(200, 1e-5));
        assertEquals(CheckStatus.PASS, r.status(), r.detail());
        assertTrue(r.statistic() > 5, "ratio " + r.statistic());
        assertEquals(2.0, r.threshold());
    }

    @Test
    void flatProfile_ratioEitherSideOf2() {
        MetricSeries l = loss(1, 200, Map.of()), lr = constantLr(200, 1e-5);
        CheckResult flat = run(l, flatGrad(200, 0, 1.8), lr);
        assertEquals(CheckStatus.INCONCLUSIVE, flat.status());
        List<Finding> w = coded(flat, FindingCodes.L4_FINE_TUNE_LIKE_GRAD_NORM);
        assertEquals(1, w.size());
        assertEquals(org.trainproof.verdict.Severity.WARNING, w.get(0).severity());
        assertEquals(1.8, w.get(0).statistic(), 1e-9);
        assertEquals(2.0, w.get(0).threshold());
        assertEquals(200L, w.get(0).n());
        assertEquals(0L, w.get(0).location().step());
        CheckResult notFlat = run(l, flatGrad(200, 0, 2.2), lr);
        assertEquals(CheckStatus.PASS, notFlat.status(), notFlat.detail());
        assertTrue(notFlat.findings().isEmpty());
    }

    @Test
    void flatProfile_smallLrEitherSideOf5e5() {
        MetricSeries l = loss(1, 200, Map.of()), g = flatGrad(200, 0, 1.0);
        assertEquals(1, coded(run(l, g, constantLr(200, 4e-5)), FindingCodes.L4_FINE_TUNE_LIKE_GRAD_NORM).size());
        CheckResult large = run(l, g, constantLr(200, 6e-5));
        assertEquals(CheckStatus.PASS, large.status(), large.detail());
        assertTrue(large.findings().isEmpty());
    }

    @Test
    void flatProfile_lrAreaBeforeFirstRecordEitherSideOf001() {
        // LR 1e-5 logged from step 0: a first grad-norm record at step 900 comes after 0.009 of LR area, at 1100 after 0.011.
        MetricSeries l = loss(1, 400, Map.of()), lr = constantLr(400, 1e-5);
        assertEquals(1, coded(run(l, flatGrad(100, 900, 1.0), lr), FindingCodes.L4_FINE_TUNE_LIKE_GRAD_NORM).size());
        CheckResult late = run(l, flatGrad(100, 1100, 1.0), lr);
        assertEquals(CheckStatus.INCONCLUSIVE, late.status());
        assertTrue(late.findings().isEmpty(), "a log that may start after the transient is not called fine-tune-like");
    }

    @Test
    void flatProfile_needsFiveRecords() {
        MetricSeries l = loss(1, 200, Map.of()), lr = constantLr(200, 1e-5);
        assertEquals(1, coded(run(l, flatGrad(5, 0, 1.0), lr), FindingCodes.L4_FINE_TUNE_LIKE_GRAD_NORM).size());
        CheckResult four = run(l, flatGrad(4, 0, 1.0), lr);
        assertEquals(CheckStatus.INCONCLUSIVE, four.status());
        assertTrue(four.findings().isEmpty());
        assertNull(four.statistic());
    }

    @Test
    void flatProfile_claimedLrCounts_unknownLrIsNotJudged() {
        MetricSeries l = loss(1, 200, Map.of()), g = flatGrad(200, 0, 1.0);
        ObjectNode c = new ObjectMapper().createObjectNode();
        c.putObject("lr_schedule").put("shape", "constant").put("peak_lr", 1e-5);
        assertEquals(1, coded(run(c, List.of(), l, g), FindingCodes.L4_FINE_TUNE_LIKE_GRAD_NORM).size());
        // A claimed peak above the bound wins over a small logged LR (the larger is used).
        ObjectNode big = new ObjectMapper().createObjectNode();
        big.putObject("lr_schedule").put("shape", "constant").put("peak_lr", 1e-3);
        assertTrue(coded(run(big, List.of(), l, g, constantLr(200, 1e-5)), FindingCodes.L4_FINE_TUNE_LIKE_GRAD_NORM).isEmpty());
        CheckResult unknown = run(l, g);
        assertEquals(CheckStatus.INCONCLUSIVE, unknown.status());
        assertTrue(unknown.findings().isEmpty());
    }

    @Test
    void missingMetrics_notRunOrInconclusive() {
        assertEquals(CheckStatus.NOT_RUN, run().status());
        CheckResult lossOnly = run(loss(1, 200, Map.of()));
        assertEquals(CheckStatus.INCONCLUSIVE, lossOnly.status());
        assertTrue(lossOnly.findings().isEmpty());
        CheckResult shortLoss = run(loss(1, 19, Map.of()), grad(1, 200, 0, 9, Map.of()), constantLr(200, 1e-3));
        assertEquals(CheckStatus.INCONCLUSIVE, shortLoss.status());
        assertEquals(CheckStatus.PASS, run(loss(1, 20, Map.of()), grad(1, 200, 0, 9, Map.of()), constantLr(200, 1e-3)).status());
    }

    @Test
    void nonFiniteAndNonPositiveRecords_areSkipped() {
        MetricSeries g = flatGrad(200, 0, 1.0);
        double[] v = g.values();
        v[50] = Double.NaN;
        v[60] = 0.0;
        v[70] = Double.POSITIVE_INFINITY;
        MetricSeries holes = new MetricSeries(MetricSeries.GRAD_NORM, g.steps(), v);
        CheckResult r = run(loss(1, 200, Map.of()), holes, constantLr(200, 1e-5));
        assertEquals(197L, r.n());
        assertEquals(1, coded(r, FindingCodes.L4_FINE_TUNE_LIKE_GRAD_NORM).size());
    }

    @Test
    void manySpikes_largest20Listed_inStepOrder() {
        Map<Integer, Double> bumps = new HashMap<>();
        for (int k = 0; k < 30; k++) bumps.put(300 + 100 * k + (k % 7), (8 + k % 5) * NOISE);
        CheckResult r = run(loss(11, 4000, bumps));
        List<Finding> f = coded(r, FindingCodes.L4_LOSS_SPIKE);
        assertEquals(SpikeGradNormCheck.MAX_LISTED, f.size());
        List<Long> steps = new ArrayList<>(f.stream().map(x -> x.location().step()).toList());
        List<Long> sorted = new ArrayList<>(steps);
        java.util.Collections.sort(sorted);
        assertEquals(sorted, steps);
        // The six 12-sigma bumps (k % 5 == 4) are among the largest, so all are listed.
        for (int k = 4; k < 30; k += 5) assertTrue(steps.contains(10L * (300 + 100 * k + (k % 7))), "bump " + k + " not listed: " + steps);
    }

    @Test
    void areaBefore_trapezoidOnLoggedLr_exactOnALinearWarmup() {
        // lr(t) = 1e-6·t logged every 100 steps from step 0: Σ before t ≈ ∫ = 1e-6·t²/2.
        int n = 11;
        long[] st = new long[n];
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            st[i] = 100L * i;
            v[i] = 1e-6 * st[i];
        }
        AnalysisInput in = new AnalysisInput(null, Map.of(MetricSeries.TRAIN_LR, new MetricSeries(MetricSeries.TRAIN_LR, st, v)), null, null, null);
        assertEquals(0.5, SpikeGradNormCheck.areaBefore(in, 1000).getAsDouble(), 1e-12);
        assertEquals(1e-6 * 550 * 550 / 2, SpikeGradNormCheck.areaBefore(in, 550).getAsDouble(), 1e-12);
        // Past the last record the last value is held.
        assertEquals(0.5 + 200 * 1e-3, SpikeGradNormCheck.areaBefore(in, 1200).getAsDouble(), 1e-12);
        assertEquals(1e-3, SpikeGradNormCheck.peakLr(in).getAsDouble());
        AnalysisInput none = new AnalysisInput(null, Map.of(), null, null, null);
        assertTrue(SpikeGradNormCheck.areaBefore(none, 100).isEmpty());
        assertTrue(SpikeGradNormCheck.peakLr(none).isEmpty());
    }

    @Test
    void l4_isInTheStandardAnalysis_andNeverEntersTheCombination() {
        assertTrue(ConsistencyAnalysis.standard().checks().stream().anyMatch(c -> c.id().equals("L4")));
        assertFalse(new SpikeGradNormCheck().pValueAgainstGenuineNull());
    }
}
