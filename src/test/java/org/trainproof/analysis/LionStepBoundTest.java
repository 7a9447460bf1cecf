package org.trainproof.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.trainproof.verdict.CheckResult;
import org.trainproof.verdict.CheckStatus;

/**
 * W3 with Lion (|u| = 1 exactly, so every element whose update keeps its sign moves by exactly the bound): the
 * calibration grid's honest Lion runs in F32 (torch, docs/calibration.md) exceeded S·B by up to 6.9 F32 ulps over
 * 10 steps — the master weights' per-step rounding — and were accused. Here a Lion run in F32 arithmetic (PyTorch's
 * order: decoupled decay, then θ −= η·sign(β₁m + (1 − β₁)g), then m = β₂m + (1 − β₂)g) must pass with its statistic at
 * the bound, and the same run claiming a learning rate 2 % below the true one must fail.
 */
class LionStepBoundTest {
    private static final double LR = 1e-4;

    /** Trains ToyRun's tensors with Lion in F32 at a constant {@code lr}; checkpoints every 10 steps. */
    private static ToyRun lionRun(long seed) {
        ToyRun r = new ToyRun();
        SplittableRandom rng = new SplittableRandom(seed), target = new SplittableRandom(12345);
        Map<String, double[]> p = ToyRun.freshInit(new SplittableRandom(seed ^ 0x5eed)), m = new LinkedHashMap<>(), star = new LinkedHashMap<>();
        for (int k = 0; k < ToyRun.NAMES.length; k++) {
            String n = ToyRun.NAMES[k];
            m.put(n, new double[ToyRun.count(k)]);
            double[] s = new double[ToyRun.count(k)];
            for (int i = 0; i < s.length; i++) s[i] = (n.equals("ln.weight") ? 1.0 : 0.0) + 0.5 * target.nextGaussian(); // far: signs persist
            star.put(n, s);
        }
        float eta = (float) LR;
        r.save(0, p);
        for (long t = 0; t < 300; t++) {
            for (String n : ToyRun.NAMES) {
                double[] th = p.get(n), mm = m.get(n), s = star.get(n);
                double lam = n.startsWith("ln.") ? 0 : 0.1;
                for (int i = 0; i < th.length; i++) {
                    double g = (th[i] - s[i]) + 0.01 * rng.nextGaussian();
                    th[i] = (float) (th[i] * (float) (1 - eta * lam));
                    th[i] = (float) (th[i] - eta * Math.signum(0.9 * mm[i] + 0.1 * g));
                    mm[i] = 0.99 * mm[i] + 0.01 * g;
                }
            }
            if ((t + 1) % 10 == 0) r.save(t + 1, p);
        }
        return r;
    }

    private static CheckResult w3(ToyRun r, double claimedLr) {
        ObjectNode cfg = r.config();
        ObjectNode o = cfg.putObject("optimizer");
        o.put("name", "lion");
        o.putArray("betas").add(0.9).add(0.99);
        o.put("weight_decay", 0.1);
        o.putArray("no_decay").add("ln.*");
        ObjectNode s = cfg.putObject("lr_schedule");
        s.put("shape", "constant");
        s.put("peak_lr", claimedLr);
        s.put("total_steps", 300);
        AnalysisInput in = new AnalysisInput(RunClaims.parse(cfg), Map.of(), Trajectory.fromLedger(r.checkpoints()), List.of(), null);
        return new AdamBoundCheck().run(in);
    }

    @Test
    void honestLionInF32_passesAtTheBound() {
        for (long seed = 1; seed <= 3; seed++) {
            CheckResult c = w3(lionRun(seed), LR);
            assertEquals(CheckStatus.PASS, c.status(), c.detail() + " " + c.findings());
            assertTrue(c.statistic() > 0.99, "Lion moves by the bound itself: worst |delta|/allowed " + c.statistic());
        }
    }

    @Test
    void lionWithAnUnderstatedLr_fails() {
        CheckResult c = w3(lionRun(1), LR / 1.02);
        assertEquals(CheckStatus.FAIL, c.status(), c.detail());
    }
}
