package org.trainproof.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.trainproof.checkpoint.CheckpointManifest;
import org.trainproof.checkpoint.TensorManifest;
import org.trainproof.verdict.CheckResult;
import org.trainproof.verdict.CheckStatus;

class LogAndComputeChecksTest {
    private static boolean has(CheckResult r, String code) {
        return r.findings().stream().anyMatch(f -> f.code().equals(code));
    }

    private static AnalysisInput input(ObjectNode cfg, List<MetricSeries> ms, Trajectory t, List<RunEvent> ev) {
        Map<String, MetricSeries> m = new java.util.HashMap<>();
        for (MetricSeries s : ms) m.put(s.metric(), s);
        return new AnalysisInput(RunClaims.parse(cfg), m, t, ev, null);
    }

    @Test
    void l5_tokensMatchingEitherConvention_pass_mismatchFails() {
        ObjectNode c = new ObjectMapper().createObjectNode().put("batch_size", 8).put("seq_len", 1024);
        long[] steps = {10, 20, 30};
        MetricSeries ok = new MetricSeries(MetricSeries.TOKENS, steps, new double[] {81920, 163840, 245760});
        MetricSeries plusOne = new MetricSeries(MetricSeries.TOKENS, steps, new double[] {90112, 172032, 253952});
        MetricSeries bad = new MetricSeries(MetricSeries.TOKENS, steps, new double[] {81920, 163840, 400000});
        LogArithmeticCheck l5 = new LogArithmeticCheck();
        assertEquals(CheckStatus.PASS, l5.run(input(c, List.of(ok), null, List.of())).status());
        assertEquals(CheckStatus.PASS, l5.run(input(c, List.of(plusOne), null, List.of())).status());
        CheckResult r = l5.run(input(c, List.of(bad), null, List.of()));
        assertEquals(CheckStatus.FAIL, r.status());
        assertEquals(30L, r.findings().get(0).location().step());
        // A declared config change (batch ramp) before the record exempts it.
        assertEquals(CheckStatus.PASS, l5.run(input(c, List.of(bad), null, List.of(new RunEvent(25, "config_change", "batch 8 -> 16")))).status());
        assertEquals(CheckStatus.NOT_RUN, l5.run(input(new ObjectMapper().createObjectNode(), List.of(ok), null, List.of())).status());
    }

    @Test
    void l5_timeGoingBack_failsExceptEarlyTimerResetOrDeclaredRestart() {
        ObjectNode c = new ObjectMapper().createObjectNode();
        // modded-nanogpt: train_time 25,020 ms at step 10, then 143 ms at step 11 (catalogue L5 failure modes).
        MetricSeries early = new MetricSeries(MetricSeries.TRAIN_LOSS, new long[] {9, 10, 11, 12}, new double[] {5, 5, 5, 5},
                new double[] {24.0, 25.02, 0.143, 0.286}, false, 0);
        CheckResult r = new LogArithmeticCheck().run(input(c, List.of(early), null, List.of()));
        assertEquals(CheckStatus.PASS, r.status());
        assertTrue(has(r, FindingCodes.L5_TIME_NOT_MONOTONE));
        MetricSeries late = new MetricSeries(MetricSeries.TRAIN_LOSS, new long[] {100, 200, 300}, new double[] {5, 5, 5},
                new double[] {100, 200, 150}, false, 0);
        assertEquals(CheckStatus.FAIL, new LogArithmeticCheck().run(input(c, List.of(late), null, List.of())).status());
        assertEquals(CheckStatus.PASS, new LogArithmeticCheck().run(input(c, List.of(late), null,
                List.of(new RunEvent(250, "resume", "restarted from step 200")))).status());
    }

    private static Trajectory params(long n) {
        TensorManifest t = new TensorManifest("w", "BF16", List.of(n), "f", 0, 2 * n, "00".repeat(32), null, null, null, null);
        return Trajectory.fromLedger(List.of(new StepCheckpoint(1480, new CheckpointManifest("safetensors", "00".repeat(32), List.of(), List.of(t)))));
    }

    private static ObjectNode hw(String acc, int count, String prec, double tokens, double seconds) {
        ObjectNode c = new ObjectMapper().createObjectNode();
        ObjectNode h = c.putObject("hardware").put("accelerator", acc).put("count", count);
        if (prec != null) h.put("precision", prec);
        c.putObject("claimed").put("tokens", tokens).put("wall_time_s", seconds);
        return c;
    }

    @Test
    void c1_reproducesCatalogueMfuFigures() {
        ComputeCheck c1 = new ComputeCheck();
        // modded-nanogpt record: 1,480 steps x 524,288 tokens, 236.8 s on 8xH100, N ~ 124M -> ~31 % (catalogue C1).
        CheckResult r = c1.run(input(hw("H100 SXM", 8, "bf16", 1480.0 * 524288, 236.8), List.of(), params(124_000_000L), List.of()));
        assertEquals(CheckStatus.PASS, r.status());
        assertEquals(0.31, r.statistic(), 0.01);
        // Llama-2-7B: 184,320 A100-hours for 2T tokens, N = 6.74e9 -> 39 % (catalogue C1).
        r = c1.run(input(hw("NVIDIA A100-SXM4-80GB", 1, "bf16", 2e12, 184320.0 * 3600), List.of(), params(6_740_000_000L), List.of()));
        assertEquals(0.39, r.statistic(), 0.01);
    }

    @Test
    void c1_impossibleComputeFails_unknownHardwareNotRun() {
        ComputeCheck c1 = new ComputeCheck();
        CheckResult r = c1.run(input(hw("H100", 8, "bf16", 1480.0 * 524288, 20), List.of(), params(124_000_000L), List.of()));
        assertEquals(CheckStatus.FAIL, r.status());
        assertTrue(has(r, FindingCodes.C1_MFU_IMPOSSIBLE));
        // Without a precision the largest peak (FP8) is used: 236.8 s stays plausible.
        assertEquals(CheckStatus.PASS, c1.run(input(hw("H100", 8, null, 1480.0 * 524288, 236.8), List.of(), params(124_000_000L), List.of())).status());
        CheckResult u = c1.run(input(hw("TPU v5e", 8, "bf16", 1e9, 100), List.of(), params(1000), List.of()));
        assertEquals(CheckStatus.NOT_RUN, u.status());
        assertTrue(has(u, FindingCodes.C1_UNKNOWN_ACCELERATOR));
        assertTrue(c1.run(input(new ObjectMapper().createObjectNode(), List.of(), params(10), List.of())).detail().contains("hardware.accelerator"));
    }

    @Test
    void c1_trustedSpanReplacesSelfReportedWallTime() {
        ComputeCheck c1 = new ComputeCheck();
        MetricSeries loss = new MetricSeries(MetricSeries.TRAIN_LOSS, new long[] {0, 740, 1480}, new double[] {10.8, 4, 3.3});
        // Self-reported 236.8 s is plausible (~31 %); trusted times show steps 0..1480 took 20 s: impossible.
        MetricSeries fast = new MetricSeries(MetricSeries.TRUSTED_TIME, new long[] {0, 1480}, new double[] {1.7e9, 1.7e9 + 20});
        CheckResult r = c1.run(input(hw("H100", 8, "bf16", 1480.0 * 524288, 236.8), List.of(loss, fast), params(124_000_000L), List.of()));
        assertEquals(CheckStatus.FAIL, r.status(), r.detail());
        assertTrue(r.detail().contains("trusted time span of steps 0..1480"), r.detail());
        assertEquals(0.31 * 236.8 / 20, r.statistic(), 0.15);
        MetricSeries real = new MetricSeries(MetricSeries.TRUSTED_TIME, new long[] {0, 1480}, new double[] {1.7e9, 1.7e9 + 236.8});
        r = c1.run(input(hw("H100 SXM", 8, "bf16", 1480.0 * 524288, 20), List.of(loss, real), params(124_000_000L), List.of()));
        assertEquals(CheckStatus.PASS, r.status(), r.detail());
        assertEquals(0.31, r.statistic(), 0.01);
    }
}
