package org.trainproof.analysis.lineage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.trainproof.verdict.CheckResult;
import org.trainproof.verdict.CheckStatus;
import org.trainproof.verdict.Finding;
import org.trainproof.verdict.Report;

/** Verdicts on synthetic models: independent twins, disguised and plain derivatives, broken inputs. */
class LineageComparisonTest {
    static final SyntheticModels RECIPE = new SyntheticModels(64, 256, 4, 100);
    static final LineageConfig CFG = LineageConfig.defaults();

    static CheckResult check(LineageComparison.Result r, String id) {
        return r.checks().stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow();
    }

    static boolean hasCode(LineageComparison.Result r, String code) {
        return r.toReport().findings().stream().anyMatch(f -> f.code().equals(code));
    }

    @Test
    void independentSameRecipe_rawGainCosineAbove095_noEvidence() {
        var a = RECIPE.scratch("A", 1);
        var b = RECIPE.scratch("B", 2);
        LineageComparison.Result r = LineageComparison.compare(a, b, CFG);
        for (NormGainTest.VectorComparison v : r.norm().vectors()) {
            if (!v.name().contains("norm")) continue;
            assertTrue(v.rawCosine() > 0.95, v.name() + " raw cosine " + v.rawCosine());
            assertEquals(v.predictedCosine(), v.rawCosine(), 0.01, "moment formula predicts the raw cosine");
            assertEquals(v.rawCosine(), v.shuffledCosineMean(), 0.01, "shuffling leaves it unchanged");
        }
        assertEquals(LineageComparison.Verdict.NO_EVIDENCE, r.verdict());
        Report rep = r.toReport();
        assertEquals(0, rep.exitCode());
        assertTrue(check(r, "W8").pValue() > 1e-3, "W8 p " + check(r, "W8").pValue());
        assertTrue(check(r, "X1_PERM").pValue() > 1e-3);
        assertTrue(check(r, "X1_MATCH").pValue() > 1e-3);
        assertEquals(4, r.layers().size(), "one hidden layer per block");
        assertTrue(!rep.statement().toLowerCase().contains("independent"), rep.statement());
    }

    @Test
    void derivedDisguised_unitsPermutedNoiseGainsReset_isDependentByMatching() {
        var a = RECIPE.scratch("A", 1);
        var c = RECIPE.derived(a, "C", 9, 0.3, true, true);
        LineageComparison.Result r = LineageComparison.compare(a, c, CFG);
        assertEquals(LineageComparison.Verdict.DEPENDENT, r.verdict());
        assertEquals(6, r.toReport().exitCode());
        assertEquals(CheckStatus.FAIL, check(r, "X1_MATCH").status());
        assertEquals(CheckStatus.PASS, check(r, "X1_PERM").status(), "units moved: the in-place test must not see it");
        assertEquals(CheckStatus.INCONCLUSIVE, check(r, "W8").status(), "gains reset to 1 are constant");
        assertTrue(hasCode(r, LineageCodes.CONSTANT_VECTOR));
        assertTrue(hasCode(r, LineageCodes.HIDDEN_LAYER_DEPENDENT));
        for (HiddenLayerTest.Result l : r.layers()) assertTrue(l.rho() > 0.99 && l.agreement() > 0.95, "layer rho " + l.rho());
    }

    @Test
    void derivedInPlace_allThreeChecksFire_pAtFloor() {
        var a = RECIPE.scratch("A", 1);
        var d = RECIPE.derived(a, "D", 5, 0.3, false, false);
        LineageComparison.Result r = LineageComparison.compare(a, d, CFG);
        assertEquals(LineageComparison.Verdict.DEPENDENT, r.verdict());
        assertEquals(CheckStatus.FAIL, check(r, "W8").status());
        assertEquals(1.0 / (CFG.permutations() + 1), check(r, "W8").pValue(), 1e-15, "exact shuffle p at its floor");
        for (HiddenLayerTest.Result l : r.layers()) assertEquals(1.0 / (CFG.permutations() + 1), l.permP(), 1e-15);
        assertEquals(CheckStatus.FAIL, check(r, "X1_PERM").status());
        assertEquals(CheckStatus.FAIL, check(r, "X1_MATCH").status());
    }

    @Test
    void subsampledLayers_stillDetectDisguisedDerivative_andPassTwins() {
        LineageConfig small = CFG.withSampling(48, 24).withPermutations(999);
        var a = RECIPE.scratch("A", 11);
        var b = RECIPE.scratch("B", 12);
        var c = RECIPE.derived(a, "C", 13, 0.3, true, true);
        LineageComparison.Result rc = LineageComparison.compare(a, c, small);
        assertEquals(48, rc.layers().get(0).sampledUnits());
        assertEquals(LineageComparison.Verdict.DEPENDENT, rc.verdict());
        assertEquals(LineageComparison.Verdict.NO_EVIDENCE, LineageComparison.compare(a, b, small).verdict());
    }

    @Test
    void nullCalibration_twentyIndependentPairs_halfSubsampled_noDependentVerdict_pRoughlyUniform() {
        SyntheticModels tiny = new SyntheticModels(32, 96, 3, 10);
        LineageConfig cfg = CFG.withPermutations(199);
        int dependent = 0, below10 = 0, total = 0;
        for (int s = 0; s < 20; s++) {
            // Half the pairs subsampled (32 of 96 units, 16 coordinates): the null must hold for the subsample too.
            LineageConfig c = s % 2 == 0 ? cfg : cfg.withSampling(32, 16);
            LineageComparison.Result r = LineageComparison.compare(tiny.scratch("A", 100 + s), tiny.scratch("B", 200 + s), c);
            if (r.verdict() == LineageComparison.Verdict.DEPENDENT) dependent++;
            for (HiddenLayerTest.Result l : r.layers()) {
                total++;
                if (l.matchP() < 0.1) below10++;
                if (l.permP() < 0.1) below10++;
                total++;
            }
        }
        assertEquals(0, dependent);
        // 120 per-layer p-values; under a valid null about 12 fall below 0.1. Fail above 3x that.
        assertEquals(120, total);
        assertTrue(below10 <= 36, below10 + " of 120 per-layer p below 0.1");
    }

    @Test
    void shapeMismatch_reportedAndSkipped_nameRuleAndMapPairTheRest() {
        var a = RECIPE.scratch("A", 1);
        InMemoryTensorSource b = new InMemoryTensorSource("B");
        var src = RECIPE.scratch("B0", 2);
        for (String n : src.names()) {
            if (n.equals("embed.weight")) b.put("model.embed.weight", new long[] {50, 64}, new double[50 * 64]);
            else if (n.equals("final_norm.weight")) b.put("ln_f.weight", src.shape(n), src.values(n));
            else b.put("model." + n, src.shape(n), src.values(n));
        }
        LineageComparison.Result r = LineageComparison.compare(a, b, CFG.withPermutations(99));
        assertTrue(hasCode(r, LineageCodes.SHAPE_MISMATCH));
        assertTrue(hasCode(r, LineageCodes.UNPAIRED_TENSORS), "final_norm has no partner without --map");
        assertEquals(4 * 3, r.pairing().pairs().size());
        LineageComparison.Result m = LineageComparison.compare(a, b, CFG.withPermutations(99).withNameMap(Map.of("final_norm.weight", "ln_f.weight")));
        assertEquals(4 * 3 + 1, m.pairing().pairs().size());
        assertTrue(m.toReport().findings().stream().noneMatch(f -> f.code().equals(LineageCodes.UNPAIRED_TENSORS)));
    }

    @Test
    void onlyTinyTensors_inconclusive_exit5() {
        InMemoryTensorSource a = new InMemoryTensorSource("A").put("bias", new long[] {4}, new double[] {1, 2, 3, 4});
        InMemoryTensorSource b = new InMemoryTensorSource("B").put("bias", new long[] {4}, new double[] {1, 2, 3, 4});
        LineageComparison.Result r = LineageComparison.compare(a, b, CFG);
        assertEquals(LineageComparison.Verdict.INCONCLUSIVE, r.verdict());
        assertEquals(5, r.toReport().exitCode());
    }

    @Test
    void nonFiniteValues_reportedAndSkipped() {
        var a = RECIPE.scratch("A", 1);
        var b = RECIPE.scratch("B", 2);
        double[] up = b.values(SyntheticModels.up(0));
        up[5] = Double.NaN;
        b.put(SyntheticModels.up(0), b.shape(SyntheticModels.up(0)), up);
        double[] g = b.values(SyntheticModels.norm(1));
        g[0] = Double.POSITIVE_INFINITY;
        b.put(SyntheticModels.norm(1), new long[] {64}, g);
        LineageComparison.Result r = LineageComparison.compare(a, b, CFG.withPermutations(99));
        List<Finding> nf = r.toReport().findings().stream().filter(f -> f.code().equals(LineageCodes.NONFINITE_VALUES)).toList();
        assertEquals(2, nf.size());
        assertEquals(3, r.layers().size());
    }
}
