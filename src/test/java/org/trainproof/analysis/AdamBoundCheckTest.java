package org.trainproof.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.trainproof.verdict.CheckResult;
import org.trainproof.verdict.CheckStatus;
import org.trainproof.verdict.Finding;

class AdamBoundCheckTest {
    private final AdamBoundCheck check = new AdamBoundCheck();

    @Test
    void bound_matchesCatalogueValues() {
        // verification-science.md §3 W3: B(0.9,0.95) = 1.165, (0.9,0.98) = 1.698, (0.9,0.99) = 2.345, (0.9,0.999) = 7.27.
        assertEquals(1.165, AdamStepBound.limit(0.9, 0.95), 5e-4);
        assertEquals(1.698, AdamStepBound.limit(0.9, 0.98), 5e-4);
        assertEquals(2.345, AdamStepBound.limit(0.9, 0.99), 5e-4);
        assertEquals(7.27, AdamStepBound.limit(0.9, 0.999), 5e-3);
        assertEquals(1.0, AdamStepBound.bt(0.9, 0.999, 1), 1e-15); // first step is sign(g)
        assertTrue(AdamStepBound.sup(0.9, 0.95) >= AdamStepBound.limit(0.9, 0.95));
    }

    @Test
    void bound_holdsForAdversarialGradientSequences() {
        // Reference: run Adam's moments on many random and worst-case gradient sequences; |m̂/√v̂| ≤ B_t always.
        java.util.SplittableRandom rng = new java.util.SplittableRandom(4);
        double b1 = 0.9, b2 = 0.95;
        for (int rep = 0; rep < 2000; rep++) {
            double m = 0, v = 0;
            double scale = Math.exp(rng.nextGaussian() * 3);
            for (int t = 1; t <= 60; t++) {
                double g = rep % 2 == 0 ? scale * rng.nextGaussian() : scale * Math.pow(b1 * b1 / b2, -t / 2.0) * 1e-3; // growing: near-worst case
                m = b1 * m + (1 - b1) * g;
                v = b2 * v + (1 - b2) * g * g;
                double u = Math.abs(m / (1 - Math.pow(b1, t)) / Math.sqrt(v / (1 - Math.pow(b2, t))));
                assertTrue(u <= AdamStepBound.bt(b1, b2, t) * (1 + 1e-12), "t=" + t + " u=" + u);
            }
        }
    }

    @Test
    void genuineRuns_passAcrossSeeds() {
        int fails = 0;
        for (long seed = 1; seed <= 20; seed++) {
            CheckResult r = check.run(ToyRun.genuine(seed).input());
            if (r.status() != CheckStatus.PASS) fails++;
            assertTrue(r.n() > 0);
        }
        assertEquals(0, fails, "false positives among 20 genuine runs");
    }

    @Test
    void genuineBf16Run_passesWithOneUlpTolerance() {
        ToyRun r = new ToyRun();
        r.bf16 = true;
        r.train(3, ToyRun.freshInit(new java.util.SplittableRandom(3)), 0, r.total, new long[] {1});
        assertEquals(CheckStatus.PASS, check.run(r.input()).status());
    }

    @Test
    void splicedRun_failsAtTheSpliceStep() {
        for (long seed = 1; seed <= 5; seed++) {
            CheckResult r = check.run(Scenarios.spliced(seed, 160).input());
            assertEquals(CheckStatus.FAIL, r.status());
            List<Finding> f = r.findings().stream().filter(x -> x.code().equals(FindingCodes.W3_UPDATE_EXCEEDS_ADAM_BOUND)).toList();
            assertTrue(!f.isEmpty());
            assertTrue(f.stream().allMatch(x -> x.location().step() == 160), f.toString());
        }
    }

    @Test
    void understatedLearningRate_fails() {
        ToyRun run = ToyRun.genuine(2);
        ObjectNode cfg = run.config();
        ((ObjectNode) cfg.get("lr_schedule")).put("peak_lr", run.peak / 20);
        ((ObjectNode) cfg.get("lr_schedule")).put("min_lr", run.minLr / 20);
        AnalysisInput in = new AnalysisInput(RunClaims.parse(cfg), Map.of(), Trajectory.fromLedger(run.checkpoints()), List.of(), null);
        assertEquals(CheckStatus.FAIL, check.run(in).status());
    }

    @Test
    void missingClaims_notRunNamingTheField() {
        ToyRun run = ToyRun.genuine(1);
        ObjectNode cfg = run.config();
        ((ObjectNode) cfg.get("optimizer")).remove("betas");
        CheckResult r = check.run(new AnalysisInput(RunClaims.parse(cfg), Map.of(), Trajectory.fromLedger(run.checkpoints()), List.of(), null));
        assertEquals(CheckStatus.NOT_RUN, r.status());
        assertTrue(r.detail().contains("optimizer.betas"));
        cfg = run.config();
        cfg.remove("lr_schedule");
        r = check.run(new AnalysisInput(RunClaims.parse(cfg), Map.of(), Trajectory.fromLedger(run.checkpoints()), List.of(), null));
        assertEquals(CheckStatus.NOT_RUN, r.status());
        assertTrue(r.detail().contains("lr_schedule"));
    }

    @Test
    void editOutsideTheSample_caughtByFullTensorStats() {
        ToyRun run = ToyRun.genuine(6);
        long[] pos = org.trainproof.checkpoint.CoordinateSample.positions("w1", 1536, ToyRun.SAMPLE_K);
        int free = 0;
        while (java.util.Arrays.binarySearch(pos, free) >= 0) free++;
        run.saved.get(200L).get("w1")[free] = 0.5; // one element outside the sampled positions
        CheckResult r = check.run(run.input());
        assertEquals(CheckStatus.FAIL, r.status());
        assertTrue(r.findings().stream().anyMatch(f -> f.location().step() == 200 && "w1".equals(f.location().tensor())));
    }
}
