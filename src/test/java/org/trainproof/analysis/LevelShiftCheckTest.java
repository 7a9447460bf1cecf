package org.trainproof.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.trainproof.verdict.CheckResult;
import org.trainproof.verdict.CheckStatus;

class LevelShiftCheckTest {
    private static MetricSeries curve(long seed, int n, int jumpAt, double jump) {
        SplittableRandom rng = new SplittableRandom(seed);
        long[] st = new long[n];
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            st[i] = i * 10L;
            // Power law in steps (from-scratch loss shape) plus noise sigma 0.02.
            v[i] = 2.0 + 8.0 * Math.pow(1 + i / 5.0, -0.6) + 0.02 * rng.nextGaussian() + (i >= jumpAt ? jump : 0);
        }
        return new MetricSeries(MetricSeries.TRAIN_LOSS, st, v);
    }

    private static CheckResult run(MetricSeries s, List<RunEvent> ev) {
        return new LevelShiftCheck().run(new AnalysisInput(null, Map.of(s.metric(), s), null, ev, null));
    }

    @Test
    void smoothCurves_neverFlagged_over30Seeds() {
        int flagged = 0;
        for (long seed = 1; seed <= 30; seed++) if (run(curve(seed, 1000, Integer.MAX_VALUE, 0), List.of()).status() != CheckStatus.PASS) flagged++;
        assertEquals(0, flagged);
    }

    @Test
    void plantedJump_flaggedAtItsStep_unlessAnEventExplainsIt() {
        for (long seed = 1; seed <= 10; seed++) {
            CheckResult r = run(curve(seed, 1000, 600, 0.3), List.of());
            assertEquals(CheckStatus.INCONCLUSIVE, r.status(), "seed " + seed);
            var f = r.findings().get(0);
            assertEquals(LevelShiftCheck.L3_UNEXPLAINED_LEVEL_SHIFT, f.code());
            assertTrue(Math.abs(f.location().step() - 6000) <= 100, "at " + f.location().step());
            assertEquals(CheckStatus.PASS, run(curve(seed, 1000, 600, 0.3), List.of(new RunEvent(6000, "config_change", "data mixture 2"))).status());
        }
    }

    @Test
    void longLog_scannedAsBlockMedians_smoothPasses_jumpFoundNearItsStep() {
        // 400,000 records (100 records per block): the block scan must stay quiet on a smooth curve
        // and still place a planted shift within one block-window of its step.
        assertEquals(CheckStatus.PASS, run(curve(3, 400_000, Integer.MAX_VALUE, 0), List.of()).status());
        CheckResult r = run(curve(3, 400_000, 240_000, 0.3), List.of());
        assertEquals(CheckStatus.INCONCLUSIVE, r.status());
        assertTrue(Math.abs(r.findings().get(0).location().step() - 2_400_000) <= 10 * 100 * 10, "at " + r.findings().get(0).location().step());
    }
}
