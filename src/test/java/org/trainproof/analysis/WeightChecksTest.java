package org.trainproof.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.trainproof.verdict.CheckResult;
import org.trainproof.verdict.CheckStatus;

/**
 * Separation of genuine toy AdamW runs from derived, spliced, fabricated and reset variants, for each
 * weight check, over many seeds. Genuine runs must never fail (false-positive rate printed and asserted
 * zero on {@value #SEEDS} seeds); each attack must fail on every seed.
 */
class WeightChecksTest {
    static final int SEEDS = 12;

    private static List<CheckResult> over(ConsistencyCheck c, Function<Long, ToyRun> make) {
        List<CheckResult> out = new ArrayList<>();
        for (long s = 1; s <= SEEDS; s++) out.add(c.run(make.apply(s).input()));
        return out;
    }

    private static long count(List<CheckResult> rs, CheckStatus st) {
        return rs.stream().filter(r -> r.status() == st).count();
    }

    private static void report(String what, List<CheckResult> rs) {
        System.out.printf("%-28s %s%n", what, rs.stream().map(r -> r.status() + "(" + (r.statistic() == null ? "-" : String.format("%.4g", r.statistic())) + ")").toList());
    }

    private static boolean has(CheckResult r, String code) {
        return r.findings().stream().anyMatch(f -> f.code().equals(code));
    }

    @Test
    void w1_genuinePasses_derivedFails_rankMatchedPasses() {
        InitDistributionCheck c = new InitDistributionCheck();
        List<CheckResult> g = over(c, ToyRun::genuine), d = over(c, Scenarios::derived), f = over(c, Scenarios::fabricated);
        report("W1 genuine", g);
        report("W1 derived", d);
        report("W1 fabricated(rank-matched)", f);
        assertEquals(SEEDS, count(g, CheckStatus.PASS));
        assertEquals(SEEDS, count(d, CheckStatus.FAIL));
        assertTrue(d.stream().allMatch(r -> has(r, FindingCodes.W1_NOT_ONES)));
        // Documented limitation (catalogue W1): a rank-matched init is a genuine init sample; W2 catches it.
        assertEquals(SEEDS, count(f, CheckStatus.PASS));
    }

    @Test
    void w1_disguisedDerived_failsOnDistributionAlone() {
        // Norm gains reset to 1 and biases to 0 before step 0: only the matrices betray the parent.
        InitDistributionCheck c = new InitDistributionCheck();
        for (long s = 1; s <= 4; s++) {
            ToyRun d = Scenarios.derived(s);
            var w0 = d.saved.get(0L);
            java.util.Arrays.fill(w0.get("ln.weight"), 1.0);
            java.util.Arrays.fill(w0.get("ln.bias"), 0.0);
            CheckResult r = c.run(d.input());
            assertEquals(CheckStatus.FAIL, r.status());
            assertTrue(has(r, FindingCodes.W1_KS_REJECTS_INIT) || has(r, FindingCodes.W1_STD_MISMATCH));
            assertTrue(!has(r, FindingCodes.W1_NOT_ONES));
        }
    }

    @Test
    void w1_bf16AndTruncatedNormal_genuinePass_plainNormalClaimOnTruncatedDataFails() {
        InitDistributionCheck c = new InitDistributionCheck();
        for (long s = 1; s <= 6; s++) {
            ToyRun r = new ToyRun();
            r.bf16 = true;
            r.train(s, ToyRun.freshInit(new SplittableRandom(s)), 0, 40, new long[] {1});
            assertEquals(CheckStatus.PASS, c.run(r.input()).status(), "bf16 seed " + s);
        }
        // Truncated at 2 sigma: claim truncated_normal -> pass; claim plain normal -> W1 rejects (OLMo-2 pitfall).
        Map<String, double[]> init = ToyRun.freshInit(new SplittableRandom(5));
        SplittableRandom rng = new SplittableRandom(6);
        for (String n : new String[] {"w1", "w2"}) {
            double[] x = init.get(n);
            for (int i = 0; i < x.length; i++) {
                double g;
                do g = rng.nextGaussian(); while (Math.abs(g) > 2);
                x[i] = (float) (0.02 * g);
            }
        }
        ToyRun r = new ToyRun();
        r.train(5, init, 0, 40, new long[] {1});
        var cfg = r.config();
        var rule = (com.fasterxml.jackson.databind.node.ObjectNode) cfg.get("init").get(2);
        rule.put("distribution", "truncated_normal").put("bound", 0.04);
        AnalysisInput ok = new AnalysisInput(RunClaims.parse(cfg), Map.of(), Trajectory.fromLedger(r.checkpoints()), List.of(), null);
        assertEquals(CheckStatus.PASS, c.run(ok).status());
        assertEquals(CheckStatus.FAIL, c.run(r.input()).status());
    }

    @Test
    void w2_genuinePasses_rankMatchedFails() {
        InitIndependenceCheck c = new InitIndependenceCheck();
        List<CheckResult> g = over(c, ToyRun::genuine), f = over(c, Scenarios::fabricated);
        report("W2 genuine", g);
        report("W2 fabricated", f);
        assertEquals(0, count(g, CheckStatus.FAIL));
        assertEquals(SEEDS, count(g, CheckStatus.PASS));
        assertEquals(SEEDS, count(f, CheckStatus.FAIL));
        assertTrue(f.stream().allMatch(r -> has(r, FindingCodes.W2_RANK_MATCHED_INIT)));
    }

    @Test
    void w4_genuinePasses_splicedFailsAtTheSplice() {
        AdjacentDependenceCheck c = new AdjacentDependenceCheck();
        List<CheckResult> g = over(c, ToyRun::genuine), sp = over(c, s -> Scenarios.spliced(s, 160));
        report("W4 genuine", g);
        report("W4 spliced", sp);
        assertEquals(SEEDS, count(g, CheckStatus.PASS));
        assertEquals(SEEDS, count(sp, CheckStatus.FAIL));
        for (CheckResult r : sp) {
            assertTrue(r.findings().stream().filter(f -> f.code().equals(FindingCodes.W4_LINK_NOT_DEPENDENT))
                    .allMatch(f -> f.location().step() == 160), r.findings().toString());
        }
    }

    @Test
    void w4_momentPValue_agreesWithExplicitPermutationTest() {
        // Reference: the exact permutation p with 4,999 shuffles, on small samples.
        SplittableRandom rng = new SplittableRandom(21);
        for (int rep = 0; rep < 6; rep++) {
            int n = 40;
            double[] a = new double[n], b = new double[n];
            double rho = rep * 0.08;
            for (int i = 0; i < n; i++) {
                a[i] = rng.nextGaussian();
                b[i] = rho * a[i] + rng.nextGaussian();
            }
            double obs = 0;
            for (int i = 0; i < n; i++) obs += a[i] * b[i];
            int T = 4999, ge = 0;
            double[] p = b.clone();
            for (int t = 0; t < T; t++) {
                for (int i = n - 1; i > 0; i--) {
                    int j = rng.nextInt(i + 1);
                    double tmp = p[i];
                    p[i] = p[j];
                    p[j] = tmp;
                }
                double s = 0;
                for (int i = 0; i < n; i++) s += a[i] * p[i];
                if (s >= obs) ge++;
            }
            double exact = (1.0 + ge) / (T + 1);
            assertEquals(exact, AdjacentDependenceCheck.dependenceP(a, b), 0.03, "rep " + rep);
        }
    }

    @Test
    void w7_genuinePasses_straightLineFails() {
        UpdateDirectionCheck c = new UpdateDirectionCheck();
        List<CheckResult> g = over(c, ToyRun::genuine), f = over(c, Scenarios::fabricated);
        report("W7 genuine", g);
        report("W7 fabricated", f);
        assertEquals(SEEDS, count(g, CheckStatus.PASS));
        assertEquals(SEEDS, count(f, CheckStatus.FAIL));
    }

    @Test
    void resume_resetFails_honestPasses_freshStartSeen() {
        ResumeResetCheck c = new ResumeResetCheck();
        List<CheckResult> honest = over(c, s -> Scenarios.resumed(s, 150, false)), reset = over(c, s -> Scenarios.resumed(s, 150, true));
        report("RESUME honest", honest);
        report("RESUME reset", reset);
        assertEquals(SEEDS, count(honest, CheckStatus.PASS));
        assertEquals(SEEDS, count(reset, CheckStatus.FAIL));
        assertTrue(reset.stream().allMatch(r -> has(r, FindingCodes.RESUME_FRESH_OPTIMIZER_STATE)));
        assertTrue(honest.stream().allMatch(r -> has(r, FindingCodes.RESUME_FIRST_STEP_SIGN_UPDATE)));
        // A declared reset is not an accusation.
        ToyRun r = Scenarios.resumed(3, 150, true);
        AnalysisInput in = new AnalysisInput(RunClaims.parse(r.config()), Map.of(), Trajectory.fromLedger(r.checkpoints()),
                List.of(new RunEvent(150, "resume", "restarted with reset optimizer state")), null);
        CheckResult declared = c.run(in);
        assertEquals(CheckStatus.PASS, declared.status());
        assertTrue(has(declared, FindingCodes.RESUME_DECLARED_RESET));
        // Without a one-step pair after step 0: inconclusive, never pass.
        assertEquals(CheckStatus.INCONCLUSIVE, c.run(ToyRun.genuine(1).input()).status());
    }

    @Test
    void artifactsMode_usesAuditorPositionsAndAgrees() {
        ToyRun sp = Scenarios.spliced(4, 160);
        TensorValues tv = (step, tensor, pos) -> {
            double[] all = sp.saved.get(step).get(tensor), out = new double[pos.length];
            for (int i = 0; i < pos.length; i++) out[i] = all[(int) pos[i]];
            return out;
        };
        Trajectory t = Trajectory.fromArtifacts(sp.checkpoints(), tv, 987654321L, 300);
        AnalysisInput in = new AnalysisInput(RunClaims.parse(sp.config()), Map.of(), t, List.of(), null);
        assertEquals(CheckStatus.FAIL, new AdamBoundCheck().run(in).status());
        assertEquals(CheckStatus.FAIL, new AdjacentDependenceCheck().run(in).status());
        assertTrue(new AdamBoundCheck().run(in).detail().contains("auditor"));
        long[] p1 = AuditorSample.positions(987654321L, "w1", 1536, 300), p2 = AuditorSample.positions(1L, "w1", 1536, 300);
        assertTrue(!java.util.Arrays.equals(p1, p2), "a different auditor seed draws different positions");
    }
}
