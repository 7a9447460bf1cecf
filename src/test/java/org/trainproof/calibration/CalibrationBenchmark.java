package org.trainproof.calibration;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The calibration benchmark (not a unit test; not in the default suite): generates the whole grid of the
 * independent PyTorch trainer, analyses every run at several evidence levels and writes
 * {@code docs/calibration.md} (the hand-written calibration on real logs and fixtures is docs/calibration-logs.md). Regenerate with
 * <pre>
 * mvn -q -ntp test -Dtest=CalibrationBenchmark -Dtrainproof.calibration=true -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 * Runs are cached under {@code target/calibration/grid} (or {@code -Dtrainproof.calibration.root=DIR}): only runs
 * not yet there are trained, every analysis reruns. {@code -Dtrainproof.calibration.threads=N} (default 2) analyses
 * N runs at a time; {@code -Dtrainproof.calibration.only=REGEX} analyses only the runs whose name matches (a partial
 * table, written to {@code target/calibration/calibration-subset.md} instead of the doc).
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
        double trainSeconds = (System.nanoTime() - t0) / 1e9;
        int threads = Integer.getInteger("trainproof.calibration.threads", 2);
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
        List<Future<TorchCalibration.Result>> futures = new ArrayList<>();
        String only = System.getProperty("trainproof.calibration.only");
        if (only != null) rows = rows.stream().filter(r -> r.path("name").asText().matches(only)).toList();
        for (JsonNode row : rows) {
            // Honest runs at full evidence and at the cheap reduced levels (at most two checkpoints; none may exit 6
            // either); dishonest runs at every level, since none may exit 0.
            boolean honest = row.path("honest").asBoolean();
            for (TorchCalibration.Variant v : TorchCalibration.Variant.values()) {
                if (honest && v != TorchCalibration.Variant.FULL && !v.cheap()) continue;
                futures.add(pool.submit(() -> {
                    TorchCalibration.Result r = TorchCalibration.analyse(root, row, v);
                    if (v == TorchCalibration.Variant.FULL || (honest && r.exit() == 6) || (!honest && r.exit() == 0)) {
                        System.out.printf("%-45s %-10s exit %d failed %s%n", r.run(), v.label, r.exit(), r.failed());
                    }
                    return r;
                }));
            }
        }
        List<TorchCalibration.Result> results = new ArrayList<>();
        try {
            for (Future<TorchCalibration.Result> f : futures) results.add(f.get());
        } finally {
            pool.shutdownNow();
        }
        double total = (System.nanoTime() - t0) / 1e9;
        Files.writeString(only == null ? Path.of("docs", "calibration.md") : root.resolveSibling("calibration-subset.md"), CalibrationDoc.render(results, rows, total, trainSeconds, threads));
    }

    /** Confusion counts: key "construction|variant" → exit code → count. */
    static Map<String, Map<Integer, Integer>> confusion(List<TorchCalibration.Result> rs) {
        Map<String, Map<Integer, Integer>> m = new TreeMap<>();
        for (TorchCalibration.Result r : rs) {
            m.computeIfAbsent(r.construction() + "|" + r.variant().ordinal(), x -> new TreeMap<>()).merge(r.exit(), 1, Integer::sum);
        }
        return m;
    }
}
