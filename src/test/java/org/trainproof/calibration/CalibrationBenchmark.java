package org.trainproof.calibration;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The calibration benchmark (not a unit test; not in the default suite): generates the whole grid of the
 * independent PyTorch trainer, analyses every run at three evidence levels and writes
 * {@code docs/calibration-torch.md}. Regenerate with
 * <pre>
 * mvn -q -ntp test -Dtest=CalibrationBenchmark -Dtrainproof.calibration=true -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 * Runs are cached under {@code target/calibration/grid} (or {@code -Dtrainproof.calibration.root=DIR}).
 */
@EnabledIfSystemProperty(named = "trainproof.calibration", matches = "true")
class CalibrationBenchmark {
    @Test
    void calibrate() throws Exception {
        assumeTrue(TorchCalibration.torchAvailable(), "python3 with torch and numpy not available");
        Path root = Path.of(System.getProperty("trainproof.calibration.root", "target/calibration/grid")).toAbsolutePath();
        Files.createDirectories(root.getParent());
        long t0 = System.nanoTime();
        List<JsonNode> rows = TorchCalibration.generate(root, false);
        List<TorchCalibration.Result> results = new ArrayList<>();
        for (JsonNode row : rows) {
            // Honest runs at full evidence (the reduced levels cannot exit 0 by the evidence rule; they are tested in
            // ConsistencyAnalysisTest); dishonest runs at every level, since none may exit 0.
            boolean honest = row.path("honest").asBoolean();
            for (TorchCalibration.Variant v : honest ? List.of(TorchCalibration.Variant.FULL) : List.of(TorchCalibration.Variant.values())) {
                TorchCalibration.Result r = TorchCalibration.analyse(root, row, v);
                results.add(r);
                if (v == TorchCalibration.Variant.FULL) System.out.printf("%-45s exit %d failed %s%n", r.run(), r.exit(), r.failed());
            }
        }
        Files.writeString(Path.of("docs", "calibration-torch.md"), CalibrationDoc.render(results, rows.size(), (System.nanoTime() - t0) / 1e9));
    }

    /** Confusion counts: key "honest|FULL" or "construction|variant" → exit code → count. */
    static Map<String, Map<Integer, Integer>> confusion(List<TorchCalibration.Result> rs) {
        Map<String, Map<Integer, Integer>> m = new TreeMap<>();
        for (TorchCalibration.Result r : rs) {
            String k = (r.honest() ? "honest" : r.spec().path("construction").asText()) + "|" + r.variant().name().toLowerCase(Locale.ROOT);
            m.computeIfAbsent(k, x -> new TreeMap<>()).merge(r.exit(), 1, Integer::sum);
        }
        return m;
    }
}
