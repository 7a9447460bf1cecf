package org.trainproof.analysis.lineage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The public Solar-Open-100B vs GLM-4.5-Air norm-gain numbers (catalogue §1.1; 92 vectors, d = 4096,
 * from ANLGBOY/solar-vs-glm-sanity-check): the moment formula predicts the published raw cosines from
 * the published means and stds alone; shuffling does not move them; the centered correlation is ≈ 0.
 */
class SolarGlmNormGainTest {
    record Row(int layer, String category, double cosine, double shuffled, double centered,
            double meanA, double stdA, double meanB, double stdB) {}

    static List<Row> rows() throws IOException {
        List<Row> out = new ArrayList<>();
        try (InputStream in = SolarGlmNormGainTest.class.getResourceAsStream("/lineage/solar_glm_layernorm_sanity.csv")) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            for (String line : text.split("\n")) {
                if (line.startsWith("#") || line.startsWith("layer") || line.isBlank()) continue;
                String[] f = line.split(",");
                out.add(new Row(Integer.parseInt(f[0]), f[1], d(f[2]), d(f[3]), d(f[4]), d(f[5]), d(f[6]), d(f[7]), d(f[8])));
            }
        }
        return out;
    }

    private static double d(String s) {
        return Double.parseDouble(s);
    }

    @Test
    void momentFormula_predictsPublishedRawCosines() throws IOException {
        List<Row> rows = rows();
        assertEquals(92, rows.size());
        double[] err = new double[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            err[i] = Math.abs(LineageNumerics.momentPredictedCosine(r.meanA(), r.stdA(), r.meanB(), r.stdB()) - r.cosine());
        }
        Arrays.sort(err);
        double median = (err[45] + err[46]) / 2;
        // Catalogue §1.1: median |error| 1.1e-4, max 0.012.
        assertEquals(1.1e-4, median, 0.1e-4);
        assertEquals(0.012, err[91], 0.001);
    }

    @Test
    void publishedShuffledCosines_equalRaw_centeredNearZero() throws IOException {
        List<Row> rows = rows();
        double raw = rows.stream().mapToDouble(Row::cosine).average().orElseThrow();
        double sh = rows.stream().mapToDouble(Row::shuffled).average().orElseThrow();
        double ce = rows.stream().mapToDouble(Row::centered).average().orElseThrow();
        double maxAbs = rows.stream().mapToDouble(r -> Math.abs(r.centered())).max().orElseThrow();
        // Catalogue §1.1: mean raw 0.96756, mean shuffled 0.96777, mean centered 0.0054, max |centered| 0.043.
        assertEquals(0.96756, raw, 5e-5);
        assertEquals(0.96777, sh, 5e-5);
        assertEquals(0.0054, ce, 1e-4);
        assertEquals(0.043, maxAbs, 5e-4);
    }

    /**
     * Vectors drawn independently with the published moments of every layer (d = 4096): our W8 test
     * reproduces raw ≈ predicted ≈ shuffled, r ≈ 0, and finds no dependence.
     */
    @Test
    void normGainTest_onVectorsWithPublishedMoments_reproducesTheIllusion_andFindsNoDependence() throws IOException {
        List<Row> rows = rows();
        SplittableRandom rng = new SplittableRandom(42);
        InMemoryTensorSource a = new InMemoryTensorSource("solar-like"), b = new InMemoryTensorSource("glm-like");
        for (Row r : rows) {
            String name = "model.layers." + r.layer() + (r.category().equals("norm_pre") ? ".input_layernorm.weight" : ".post_attention_layernorm.weight");
            a.put(name, new long[] {4096}, SyntheticModels.gauss(rng, 4096, r.meanA(), r.stdA()));
            b.put(name, new long[] {4096}, SyntheticModels.gauss(rng, 4096, r.meanB(), r.stdB()));
        }
        LineageComparison.Result res = LineageComparison.compare(a, b, LineageConfig.defaults().withPermutations(999));
        NormGainTest.Result n = res.norm();
        assertEquals(92, n.tested());
        double maxPredErr = 0, maxShuffleShift = 0, rawMean = 0;
        for (NormGainTest.VectorComparison v : n.vectors()) {
            maxPredErr = Math.max(maxPredErr, Math.abs(v.rawCosine() - v.predictedCosine()));
            maxShuffleShift = Math.max(maxShuffleShift, Math.abs(v.rawCosine() - v.shuffledCosineMean()));
            rawMean += v.rawCosine() / 92;
            assertTrue(Math.abs(v.r()) < 0.07, v.name() + " r " + v.r()); // 4.5 sigma at d = 4096
        }
        assertTrue(rawMean > 0.95, "raw mean " + rawMean);
        assertTrue(maxPredErr < 0.03, "max |raw - predicted| " + maxPredErr);
        assertTrue(maxShuffleShift < 0.03, "max |raw - shuffled| " + maxShuffleShift);
        assertEquals(2, n.matrices().size(), "input and post-attention kinds");
        assertEquals(LineageComparison.Verdict.NO_EVIDENCE, res.verdict());
    }
}
