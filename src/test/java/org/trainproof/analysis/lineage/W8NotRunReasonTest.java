package org.trainproof.analysis.lineage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.trainproof.verdict.CheckResult;
import org.trainproof.verdict.CheckStatus;

/**
 * A small model whose only long vector is a 64-entry output bias (vocabulary axis): W8 does not run, and
 * says which requirement each paired vector missed instead of "no paired vector of at least 16 entries" (issue 18).
 */
class W8NotRunReasonTest {
    private static TensorSource model(String label, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, double[]> t = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        t.put("head.bias", SyntheticModels.gauss(rng, 64, 0, 0.02));
        shapes.put("head.bias", new long[] {64});
        t.put("ln.weight", SyntheticModels.gauss(rng, 8, 1, 0.02));
        shapes.put("ln.weight", new long[] {8});
        return new TensorSource() {
            public String label() { return label; }
            public List<String> names() { return List.copyOf(t.keySet()); }
            public long[] shape(String n) { return shapes.get(n); }
            public boolean floating(String n) { return true; }
            public double[] values(String n) { return t.get(n); }
        };
    }

    @Test
    void smallModel_w8NotRun_namesTheBiasAndTheRequirementItMisses() {
        LineageComparison.Result r = LineageComparison.compare(model("A", 1), model("B", 2), LineageConfig.defaults());
        CheckResult w8 = r.toReport().checks().stream().filter(c -> c.id().equals("W8")).findFirst().orElseThrow();
        assertEquals(CheckStatus.NOT_RUN, w8.status());
        String d = w8.detail();
        assertTrue(d.contains("head.bias (64 entries) is neither a norm parameter nor a hidden-unit bias"), d);
        assertTrue(d.contains("ln.weight (8 entries) is shorter than " + LineageConfig.defaults().minVectorLength()), d);
        assertTrue(d.contains("not exchangeable under H0"), d);
    }
}
