package org.trainproof.analysis.lineage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.trainproof.analysis.lineage.TensorPairing.TensorPair;

/** The hidden-layer pairing rule on transformer-style and plain-MLP names. */
class HiddenLayerRuleTest {
    static TensorPair t(String n, long r, long c) {
        return new TensorPair(n, n, List.of(r, c));
    }

    @Test
    void transformerBlock_gateToDown_onlyOneLayerPerBlock_attentionAndResidualAxesExcluded() {
        List<TensorPair> ps = new ArrayList<>();
        for (int l = 0; l < 2; l++) {
            String p = "model.layers." + l + ".";
            ps.add(t(p + "mlp.down_proj.weight", 64, 176));
            ps.add(t(p + "mlp.gate_proj.weight", 176, 64));
            ps.add(t(p + "mlp.up_proj.weight", 176, 64));
            ps.add(t(p + "self_attn.k_proj.weight", 64, 64));
            ps.add(t(p + "self_attn.o_proj.weight", 64, 64));
            ps.add(t(p + "self_attn.q_proj.weight", 64, 64));
        }
        ps.add(t("model.embed_tokens.weight", 1000, 64));
        ps.add(t("lm_head.weight", 1000, 64));
        List<HiddenLayerTest.HiddenLayer> ls = HiddenLayerTest.findLayers(ps, 16);
        assertEquals(2, ls.size());
        assertEquals("model.layers.0.mlp.gate_proj.weight", ls.get(0).x().nameA());
        assertEquals("model.layers.0.mlp.down_proj.weight", ls.get(0).y().nameA());
        assertEquals(176, ls.get(0).units());
        assertEquals("model.layers.1.mlp.gate_proj.weight", ls.get(1).x().nameA());
    }

    @Test
    void fixtureStyleMlp_squareFc1_pairsWithNarrowFc2() {
        List<TensorPair> ps = List.of(t("embed.weight", 64, 32), t("fc1.weight", 128, 128), t("fc2.weight", 32, 128),
                t("head.weight", 64, 32));
        List<HiddenLayerTest.HiddenLayer> ls = HiddenLayerTest.findLayers(ps, 16);
        assertEquals(1, ls.size());
        assertEquals("fc1.weight", ls.get(0).x().nameA());
        assertEquals("fc2.weight", ls.get(0).y().nameA());
    }

    @Test
    void normNames() {
        assertEquals(true, LineageComparison.isNormName("model.layers.3.input_layernorm.weight"));
        assertEquals(true, LineageComparison.isNormName("ln1.weight"));
        assertEquals(true, LineageComparison.isNormName("transformer.ln_f.bias"));
        assertEquals(false, LineageComparison.isNormName("head.bias"));
        assertEquals(false, LineageComparison.isNormName("fc1.bias"));
    }
}
