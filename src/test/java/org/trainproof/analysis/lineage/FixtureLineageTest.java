package org.trainproof.analysis.lineage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.trainproof.verdict.CheckResult;

/**
 * The fixture expectations (fixtures/ from the fixture trainer): scratch vs scratch-twin →
 * raw ln1 cosine > 0.95 and no evidence; scratch vs derived / derived-disguised (step 0 as recorded
 * in their EXPECTED.json, and final weights) → dependent with the matching p at its floor; derived vs
 * scratch-twin → no evidence. Skips when the fixtures are absent.
 */
class FixtureLineageTest {
    static final Path FX = Path.of("fixtures");
    static final LineageConfig CFG = LineageConfig.defaults();

    static LineageComparison.Result compare(String a, String b) {
        assumeTrue(Files.isRegularFile(FX.resolve(a)) && Files.isRegularFile(FX.resolve(b)), "fixtures absent");
        return LineageComparison.compare(SafetensorsTensorSource.open(FX.resolve(a)), SafetensorsTensorSource.open(FX.resolve(b)), CFG);
    }

    static CheckResult check(LineageComparison.Result r, String id) {
        return r.checks().stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow();
    }

    static NormGainTest.VectorComparison vector(LineageComparison.Result r, String name) {
        return r.norm().vectors().stream().filter(v -> v.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void scratchVsTwin_rawCosineAbove095_matchesFixtureRecord_noEvidence() throws IOException {
        LineageComparison.Result r = compare("scratch/step-200.safetensors", "scratch-twin/step-200.safetensors");
        NormGainTest.VectorComparison ln1 = vector(r, "ln1.weight");
        assertTrue(ln1.rawCosine() > 0.95, "raw " + ln1.rawCosine());
        // The fixture trainer recorded its own computation of the same two numbers.
        JsonNode exp = new ObjectMapper().readTree(FX.resolve("scratch-twin/EXPECTED.json").toFile()).get("compare");
        assertEquals(exp.get("raw_cosine_ln1_weight").asDouble(), ln1.rawCosine(), 1e-5);
        assertEquals(exp.get("centered_r_ln1_weight").asDouble(), ln1.r(), 1e-5);
        assertEquals(LineageComparison.Verdict.NO_EVIDENCE, r.verdict());
        assertEquals(0, r.toReport().exitCode());
    }

    private static void assertDependentAtFloor(String a, String b) {
        LineageComparison.Result r = compare(a, b);
        assertEquals(LineageComparison.Verdict.DEPENDENT, r.verdict(), a + " vs " + b);
        assertEquals(6, r.toReport().exitCode());
        for (HiddenLayerTest.Result l : r.layers()) {
            assertEquals(1.0, l.agreement(), 0.0, "every unit matched to the same partner twice");
            assertEquals(l.matchPFloor(), l.matchP(), 0.0, "matching p at its floor");
        }
        assertTrue(check(r, "X1_MATCH").pValue() < 1e-100, "X1_MATCH p " + check(r, "X1_MATCH").pValue());
    }

    @Test
    void scratchVsDerived_stepZeroAndFinal_dependent() {
        assertDependentAtFloor("scratch/step-200.safetensors", "derived/step-0.safetensors");
        assertDependentAtFloor("scratch/step-200.safetensors", "derived/step-200.safetensors");
    }

    @Test
    void scratchVsDerivedDisguised_stepZeroAndFinal_dependent() {
        assertDependentAtFloor("scratch/step-200.safetensors", "derived-disguised/step-0.safetensors");
        assertDependentAtFloor("scratch/step-200.safetensors", "derived-disguised/step-200.safetensors");
    }

    @Test
    void derivedVsTwin_noEvidence() {
        LineageComparison.Result r = compare("derived/step-200.safetensors", "scratch-twin/step-200.safetensors");
        assertEquals(LineageComparison.Verdict.NO_EVIDENCE, r.verdict());
    }
}
