package org.trainproof.calibration;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.ExitCode;

/**
 * The default-suite subset of the calibration ({@link CalibrationBenchmark} runs the whole grid): real PyTorch
 * runs from the independent trainer — honest low-LR AdamW with checkpoints every step (F32 and BF16) and
 * every 10 steps, SGD with momentum at LR 1e-2 every step, a BF16 attention model every step — none may exit
 * 6; the dishonest MLP constructions (derived, mixed init, straight line with and without noise, cumulative-LR
 * interpolation, splice) may never exit 0 at the reduced evidence levels, and at full evidence only the misses
 * listed in {@link #KNOWN_MISSES} may — strictly: a listed miss that starts being caught fails the test, so the
 * list can only shrink.
 */
class TorchCalibrationQuickTest {
    /**
     * Constructions that exit 0 at full evidence: none. The smooth random-walk forger ("walk": the cumulative-LR chord plus
     * a Brownian bridge, W3-safe) passes W10's coherence rule; W11 (increments indistinguishable from i.i.d. noise) keeps it
     * at exit 5 through the evidence rule's E3.
     */
    static final java.util.Set<String> KNOWN_MISSES = java.util.Set.of();
    /**
     * Honest runs that are inconclusive (exit 5), not consistent, at full evidence: BF16 checkpoints of AdamW at LR 1e-5,
     * whose updates are below one BF16 ulp, so W10 is at the storage-rounding floor and cannot tell a trained path from
     * an interpolation (the evidence rule's E3). Strict both ways: such a run exiting 0, or another honest run not
     * exiting 0, fails the test. No honest run may ever exit 6.
     */
    static final java.util.Set<String> KNOWN_INCONCLUSIVE = java.util.Set.of("h003-mlp-adamw-lr1e-05-e10-BF16", "h078-attn-adamw-lr1e-05-e1-BF16");

    @Test
    void honestRunsNeverAccused_dishonestNeverConsistent(@TempDir Path tmp) throws Exception {
        assumeTrue(TorchCalibration.torchAvailable(), "python3 with torch and numpy not available: the PyTorch calibration runs are skipped");
        Path root = tmp.resolve("grid");
        List<JsonNode> rows = TorchCalibration.generate(root, true);
        assertFalse(rows.size() < 12, "the quick grid lost runs: " + rows.size());
        List<String> bad = new ArrayList<>();
        List<TorchCalibration.Result> results = new ArrayList<>();
        for (JsonNode row : rows) {
            boolean honest = row.path("honest").asBoolean();
            for (TorchCalibration.Variant v : honest ? List.of(TorchCalibration.Variant.FULL)
                    : List.of(TorchCalibration.Variant.FULL, TorchCalibration.Variant.NO_INIT, TorchCalibration.Variant.LOG_ONLY,
                    TorchCalibration.Variant.INIT_2)) {
                TorchCalibration.Result r = TorchCalibration.analyse(root, row, v);
                System.out.printf("%-45s %-8s exit %d failed %s%n", r.run(), v, r.exit(), r.failed());
                results.add(r);
                // Issue 13: no PASS on the failing side of its reported rule, no FAIL on the passing side (real PyTorch runs).
                bad.addAll(org.trainproof.verdict.ReportedSides.violations(r.run() + " " + v, r.checks().values()));
                if (honest && r.exit() == ExitCode.INCONSISTENT) bad.add("FALSE ACCUSATION: " + r.run() + " failed " + r.failed());
                int want = KNOWN_INCONCLUSIVE.contains(r.run()) ? ExitCode.INCONCLUSIVE : ExitCode.OK;
                if (honest && r.exit() != want) bad.add("honest run exit " + r.exit() + ", expected " + want + ": " + r.run() + " failed " + r.failed()
                        + " (" + r.evidence() + ")");
                String c = row.path("spec").path("construction").asText();
                boolean miss = v == TorchCalibration.Variant.FULL && KNOWN_MISSES.contains(c);
                if (!honest && !miss && r.exit() == ExitCode.OK) bad.add("dishonest run consistent: " + r.run() + " (" + v + ")");
                if (!honest && miss && r.exit() != ExitCode.OK) bad.add("now caught, remove from KNOWN_MISSES: " + c + " (" + r.run() + ")");
            }
        }
        // The calibration document's per-rule table reads the reports' rule and direction (no inference): every row names
        // its direction and none counts a result on the wrong side of its status.
        String doc = CalibrationDoc.render(results, rows, 0, 0, 1);
        String table = doc.substring(doc.indexOf("## Honest statistics per check"), doc.indexOf("## Which checks caught"));
        System.out.println(table);
        for (String line : table.split("\n")) {
            if (!line.startsWith("| ") || line.startsWith("| check ") || line.contains("not a failure by itself")) continue;
            String[] cell = line.split("\\|");
            if (cell[3].contains("not stated")) bad.add("calibration table row without a direction: " + line);
            if (!cell[cell.length - 1].trim().equals("0")) bad.add("calibration table counts a result on the wrong side: " + line);
        }
        if (!bad.isEmpty()) fail(String.join("\n", bad));
    }
}
