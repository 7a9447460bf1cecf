package org.trainproof.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.trainproof.verdict.CheckResult;
import org.trainproof.verdict.CheckStatus;

class TimeToLossCheckTest {
    private static final long V = 50257;
    private static final double LN_V = Math.log(V);

    private static CheckResult run(long vocab, String units, MetricSeries... series) {
        var c = new ObjectMapper().createObjectNode();
        if (vocab > 0) c.put("vocab_size", vocab);
        if (units != null) c.put("loss_units", units);
        Map<String, MetricSeries> m = new HashMap<>();
        for (MetricSeries s : series) m.put(s.metric(), s);
        return new TimeToLossCheck().run(new AnalysisInput(RunClaims.parse(c), m, null, List.of(), null));
    }

    private static MetricSeries train(long[] steps, double[] values) {
        return new MetricSeries(MetricSeries.TRAIN_LOSS, steps, values);
    }

    private static boolean has(CheckResult r, String code) {
        return r.findings().stream().anyMatch(f -> f.code().equals(code));
    }

    /** A curve at ln V at step 0 that is first at depth (drop + 0.01) below ln V at {@code step}. */
    private static MetricSeries reachesAt(double drop, long step) {
        double deep = LN_V - drop - 0.01;
        if (step == 0) return train(new long[] {0, 1000}, new double[] {deep, deep - 0.1});
        return train(new long[] {0, step, 1000}, new double[] {LN_V + 0.05, deep, deep - 0.1});
    }

    @Test
    void defaultEnvelope_isTheRealLogCalibration() {
        // Depth (nats below ln V) -> updates the fastest from-scratch log of shared/realdata/logs needed (AnalysisConfig.L2
        // javadoc table; RealLogsTimeToLossTest re-measures it from the files).
        long[] fastest = {1, 1, 2, 8, 25, 63, 99, 99};
        List<AnalysisConfig.L2.TimeToLoss> t = AnalysisConfig.DEFAULT.l2().thresholds();
        assertEquals(fastest.length, t.size());
        for (int i = 0; i < fastest.length; i++) {
            assertEquals(i + 1.0, t.get(i).dropNats());
            assertEquals(fastest[i], t.get(i).fastestScratchUpdates());
        }
        assertEquals(3.0, AnalysisConfig.DEFAULT.l2().speedFactor());
    }

    @Test
    void eachDepth_flaggedJustInsideTheThirdLine_notAtIt() {
        // Flag lines (fastest / 3): D1 0.33, D2 0.33, D3 0.67, D4 2.67, D5 8.33, D6 21, D7 33, D8 33 updates.
        double[] drop = {1, 2, 3, 4, 5, 6, 7, 8};
        long[] lastFlagged = {0, 0, 0, 2, 8, 20, 32, 32};
        for (int i = 0; i < drop.length; i++) {
            CheckResult fast = run(V, null, reachesAt(drop[i], lastFlagged[i]));
            assertEquals(CheckStatus.INCONCLUSIVE, fast.status(), "D" + drop[i] + " at step " + lastFlagged[i]);
            assertTrue(has(fast, FindingCodes.L2_FASTER_THAN_SCRATCH), "D" + drop[i]);
            assertEquals(lastFlagged[i], fast.findings().get(0).location().step());
            CheckResult slow = run(V, null, reachesAt(drop[i], lastFlagged[i] + 1));
            assertEquals(CheckStatus.PASS, slow.status(), "D" + drop[i] + " at step " + (lastFlagged[i] + 1) + ": " + slow.detail());
            assertTrue(slow.findings().isEmpty());
        }
    }

    @Test
    void fastestRealScratchCurve_passes() {
        // modded-nanogpt 2024-11-19 FlexAttention train_loss (printed step N = loss of W_{N-1}; realdata MANIFEST):
        // 10.8258, 10.0758, 8.4294, 7.5322, then D5 (5.83) at printed step 26 and D6 (4.83) at 64.
        MetricSeries s = train(new long[] {1, 2, 3, 4, 26, 64, 316}, new double[] {10.8258, 10.0758, 8.4294, 7.5322, 5.82, 4.82, 3.82});
        CheckResult r = run(50304, "nats", s);
        assertEquals(CheckStatus.PASS, r.status(), r.detail());
        assertNull(r.pValue());
    }

    @Test
    void fineTuneStartingDeep_flaggedAtDeepestDepth_neverFailed() {
        // medalpaca-13b trainer_state: step 1 (window of 1) loss 1.795, V = 32001 (realdata MANIFEST: fine-tune).
        MetricSeries s = new MetricSeries(MetricSeries.TRAIN_LOSS, new long[] {1, 2}, new double[] {1.795, 1.9149}, null, true, 1);
        CheckResult r = run(32001, null, s);
        assertEquals(CheckStatus.INCONCLUSIVE, r.status());
        assertTrue(has(r, FindingCodes.L2_FASTER_THAN_SCRATCH));
        // ln 32001 - 1.795 = 8.58 nats deep: the deepest calibrated depth is 8, fastest 99 updates.
        assertEquals(1.0 / 99, r.statistic(), 1e-12);
        assertNull(r.pValue());
    }

    @Test
    void windowedFirstRecordAtStep500_isNotEarlyCurve() {
        // jaong CPT-large fine-tune: first record a windowed mean at step 500, 1.1409 with V = 51271 (realdata MANIFEST).
        MetricSeries s = new MetricSeries(MetricSeries.TRAIN_LOSS, new long[] {500, 1000}, new double[] {1.1409, 0.6419}, null, true, 500);
        CheckResult r = run(51271, null, s);
        assertEquals(CheckStatus.INCONCLUSIVE, r.status());
        assertTrue(has(r, FindingCodes.L2_EARLY_CURVE_NOT_LOGGED));
        assertTrue(!has(r, FindingCodes.L2_FASTER_THAN_SCRATCH));
    }

    @Test
    void windowedMeanBelowTheLine_earlyEnough_isFlagged() {
        // A mean over updates 0..9 at ln V - 5.5 has a loss at or below it within 10 updates: 10 < 25/3 is false,
        // 10 >= 8.33 -> not flagged at D5; the same mean at step 8 (window 8) is flagged.
        MetricSeries at10 = new MetricSeries(MetricSeries.TRAIN_LOSS, new long[] {0, 10}, new double[] {LN_V, LN_V - 5.5}, null, false, 0);
        assertEquals(CheckStatus.PASS, run(V, null, at10).status());
        MetricSeries at8 = new MetricSeries(MetricSeries.TRAIN_LOSS, new long[] {8, 16}, new double[] {LN_V - 5.5, LN_V - 5.6}, null, true, 8);
        CheckResult r = run(V, null, at8);
        assertEquals(CheckStatus.INCONCLUSIVE, r.status());
        assertTrue(has(r, FindingCodes.L2_FASTER_THAN_SCRATCH));
    }

    @Test
    void valLossEarlierThanTrainLoss_counts() {
        MetricSeries tr = train(new long[] {100, 200}, new double[] {LN_V - 6.5, LN_V - 7});
        MetricSeries va = new MetricSeries(MetricSeries.VAL_LOSS, new long[] {0, 2}, new double[] {LN_V, LN_V - 4.5});
        CheckResult r = run(V, null, tr, va);
        assertEquals(CheckStatus.INCONCLUSIVE, r.status());
        assertTrue(has(r, FindingCodes.L2_FASTER_THAN_SCRATCH));
        assertEquals(2L, r.findings().get(0).location().step());
        // Without the val series the first record is at step 100: no early curve.
        assertTrue(has(run(V, null, tr), FindingCodes.L2_EARLY_CURVE_NOT_LOGGED));
    }

    @Test
    void bits_convertedToNats() {
        // 8.0 bits = 5.55 nats = ln V - 5.28 at step 1: flagged in bits (D5, 1 < 8.33); 8.0 nats is only ln V - 2.82,
        // whose flag lines (0.33) step 1 is past: PASS.
        MetricSeries s = train(new long[] {0, 1}, new double[] {LN_V / Math.log(2), 8.0});
        assertTrue(has(run(V, "bits", s), FindingCodes.L2_FASTER_THAN_SCRATCH));
        assertEquals(CheckStatus.PASS, run(V, "nats", s).status());
    }

    @Test
    void nonFiniteValuesSkipped_stepsOutOfOrderUseTheSmallest() {
        MetricSeries s = train(new long[] {0, 30, 2}, new double[] {Double.NaN, LN_V - 5.5, LN_V - 4.2});
        CheckResult r = run(V, null, s);
        assertEquals(CheckStatus.INCONCLUSIVE, r.status());
        assertEquals(2L, r.findings().get(0).location().step());
    }

    @Test
    void missingInputs_notRunOrInconclusive_withReason() {
        MetricSeries s = reachesAt(3, 10);
        assertEquals(CheckStatus.NOT_RUN, run(0, null, s).status());
        assertEquals(CheckStatus.NOT_RUN, run(V, null).status());
        // V = 2: ln V = 0.69, shallower than every calibrated depth.
        CheckResult tiny = run(2, null, train(new long[] {0, 1}, new double[] {0.69, 0.0}));
        assertEquals(CheckStatus.INCONCLUSIVE, tiny.status());
        assertTrue(tiny.findings().isEmpty());
    }

    /**
     * The committed fixtures (V = 64, ln V = 4.16: only depths 1-4 exist, and their flag lines are at most 2.67
     * updates). The genuine runs pass. {@code derived} starts at 3.00 (ln V - 1.16) at step 0 and is flagged, as L1 fails
     * it. {@code derived-disguised} (re-drawn head) is NOT flagged: it is slower than scratch (ln V - 1 at step 27 vs
     * ~15; peak lr 0.003 vs 0.01, equal LR area at that point) — L2 does not catch it and W1 remains its only catch.
     */
    @Test
    void fixtures_genuinePass_derivedFlagged_disguisedNotCaught() throws Exception {
        Path root = Path.of("fixtures");
        List<String> wrong = new ArrayList<>();
        Map<String, CheckStatus> expect = Map.of("scratch", CheckStatus.PASS, "scratch-twin", CheckStatus.PASS,
                "scratch-bf16-hf", CheckStatus.PASS, "resumed-honest", CheckStatus.PASS, "resumed-reset", CheckStatus.PASS,
                "spliced", CheckStatus.PASS, "fabricated", CheckStatus.PASS, "derived-disguised", CheckStatus.PASS,
                "derived", CheckStatus.INCONCLUSIVE);
        for (var e : expect.entrySet()) {
            Path dir = root.resolve(e.getKey());
            assertTrue(Files.isRegularFile(dir.resolve("log.jsonl")), dir + " has no log");
            CheckResult r = new TimeToLossCheck().run(new FixtureLoader(dir).input());
            System.out.println("L2 on fixture " + e.getKey() + ": " + r.status() + " " + r.detail());
            if (r.status() != e.getValue()) wrong.add(e.getKey() + ": " + r.status() + " " + r.detail());
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }
}
