package org.trainproof.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.trainproof.verdict.CheckResult;
import org.trainproof.verdict.CheckStatus;

class StepZeroLossCheckTest {
    private final StepZeroLossCheck check = new StepZeroLossCheck();

    private CheckResult run(long vocab, String units, MetricSeries... series) {
        var c = new ObjectMapper().createObjectNode();
        if (vocab > 0) c.put("vocab_size", vocab);
        if (units != null) c.put("loss_units", units);
        Map<String, MetricSeries> m = new java.util.HashMap<>();
        for (MetricSeries s : series) m.put(s.metric(), s);
        return check.run(new AnalysisInput(RunClaims.parse(c), m, null, List.of(), null));
    }

    private static MetricSeries point(String metric, long step, double v) {
        return new MetricSeries(metric, new long[] {step, step + 10}, new double[] {v, v - 1});
    }

    private static boolean has(CheckResult r, String code) {
        return r.findings().stream().anyMatch(f -> f.code().equals(code));
    }

    @Test
    void moddedNanogptStep0_passes() {
        // modded-nanogpt records: step-0 val loss 10.8258 = ln 50304 (catalogue L1, realdata MANIFEST).
        CheckResult r = run(50304, "nats", point(MetricSeries.VAL_LOSS, 0, 10.8258));
        assertEquals(CheckStatus.PASS, r.status());
        assertEquals(0.0, r.effectSize(), 1e-4);
        // AdamW baseline s:0 10.968871 (+0.14) passes too.
        assertEquals(CheckStatus.PASS, run(50304, null, point(MetricSeries.VAL_LOSS, 0, 10.968871)).status());
    }

    @Test
    void llmcFineTuneFromGpt2_failsAtStep0() {
        // llm.c initialised from pretrained GPT-2 124M: step 0 train loss 5.356189 vs ln 50257 = 10.82 (catalogue L1).
        CheckResult r = run(50257, "nats", point(MetricSeries.TRAIN_LOSS, 0, 5.356189));
        assertEquals(CheckStatus.FAIL, r.status());
        assertTrue(has(r, FindingCodes.L1_STEP0_LOSS_BELOW_LN_V));
    }

    @Test
    void hfStepOneWindowOfOne_isTheInitialLoss() {
        // medalpaca-13b trainer_state: first record step 1, loss 1.795, V = 32001 (realdata MANIFEST: fine-tune).
        MetricSeries s = new MetricSeries(MetricSeries.TRAIN_LOSS, new long[] {1, 2}, new double[] {1.795, 1.9149}, null, true, 1);
        CheckResult r = run(32001, null, s);
        assertEquals(CheckStatus.FAIL, r.status());
        assertTrue(has(r, FindingCodes.L1_FIRST_RECORD_WINDOWED));
        assertTrue(has(r, FindingCodes.L1_FIRST_STEP_NOT_ZERO));
    }

    @Test
    void lateWindowedFirstRecordFarBelow_isInconclusiveNotFailed() {
        // gammachen novel GPT-2 (from scratch, V = 2005): first record step 100, windowed, loss 2.406 (realdata MANIFEST).
        MetricSeries s = new MetricSeries(MetricSeries.TRAIN_LOSS, new long[] {100, 200}, new double[] {2.406, 0.4634}, null, true, 0);
        CheckResult r = run(2005, null, s);
        assertEquals(CheckStatus.INCONCLUSIVE, r.status());
        assertTrue(has(r, FindingCodes.L1_FIRST_LOSS_FAR_BELOW_LN_V));
    }

    @Test
    void pointValueAfterFewUpdates_usesDropEnvelope() {
        // Step 3 point value 2.0 with V = 50257: L0 <= 2 + 3*1.0 = 5 < 10.32 -> fail.
        assertEquals(CheckStatus.FAIL, run(50257, null, point(MetricSeries.TRAIN_LOSS, 3, 2.0)).status());
        // Step 3 point value 9.0: L0 <= 12 -> bound does not reach -> inconclusive.
        assertEquals(CheckStatus.INCONCLUSIVE, run(50257, null, point(MetricSeries.TRAIN_LOSS, 3, 9.0)).status());
    }

    @Test
    void bitsAreConvertedAndHighLossWarns() {
        // ln 50257 nats = 15.617 bits; 15.62 bits at step 0 passes.
        assertEquals(CheckStatus.PASS, run(50257, "bits", point(MetricSeries.TRAIN_LOSS, 0, 15.62)).status());
        CheckResult hi = run(50257, null, point(MetricSeries.TRAIN_LOSS, 0, 16.0));
        assertEquals(CheckStatus.PASS, hi.status());
        assertTrue(has(hi, FindingCodes.L1_STEP0_LOSS_ABOVE_LN_V));
    }

    @Test
    void missingVocab_notRun() {
        CheckResult r = run(0, null, point(MetricSeries.TRAIN_LOSS, 0, 10));
        assertEquals(CheckStatus.NOT_RUN, r.status());
        assertTrue(r.detail().contains("vocab_size"));
        assertEquals(CheckStatus.NOT_RUN, run(100, null).status());
    }

    @Test
    void nanFirstValue_skippedWithFinding() {
        MetricSeries s = new MetricSeries(MetricSeries.TRAIN_LOSS, new long[] {0, 1}, new double[] {Double.NaN, 4.2});
        CheckResult r = run(65, null, s);
        assertTrue(has(r, FindingCodes.L1_NON_FINITE_LOSS));
        // step 1 point value 4.2 vs ln 65 = 4.17: passes the envelope, not at init -> inconclusive.
        assertEquals(CheckStatus.INCONCLUSIVE, r.status());
    }

    @Test
    void epochMeanLabelledStep0WithUnknownWindow_isInconclusive() {
        // gpt-tinystories log: per-epoch "train_loss: 4.398" lines without steps (realdata MANIFEST, from scratch).
        MetricSeries s = new MetricSeries(MetricSeries.TRAIN_LOSS, new long[] {0, 1}, new double[] {4.398, 3.599}, null, true, 0);
        assertEquals(CheckStatus.INCONCLUSIVE, run(50257, null, s).status());
    }

    @Test
    void recordsNumberedByOrder_areNotAStepZeroLoss() {
        // One line per epoch, no step column: record 0 comes after a whole epoch. Far below ln V, yet no accusation.
        MetricSeries byOrder = new MetricSeries(MetricSeries.TRAIN_LOSS, new long[] {0, 1, 2}, new double[] {4.4, 3.6, 3.2}, null, false, 0, true);
        CheckResult r = run(50257, "nats", byOrder);
        assertEquals(CheckStatus.INCONCLUSIVE, r.status(), r.detail());
        assertTrue(has(r, FindingCodes.L1_STEP_UNKNOWN), r.findings().toString());
        // The same values with real steps fail: the flag is what makes the difference.
        assertEquals(CheckStatus.FAIL, run(50257, "nats", new MetricSeries(MetricSeries.TRAIN_LOSS, new long[] {0, 1, 2}, new double[] {4.4, 3.6, 3.2})).status());
    }
}
