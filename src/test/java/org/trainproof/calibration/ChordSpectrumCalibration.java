package org.trainproof.calibration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.trainproof.analysis.AnalysisConfig;
import org.trainproof.analysis.AnalysisInput;
import org.trainproof.analysis.ConsistencyAnalysis;
import org.trainproof.analysis.ConsistencyVerdict;
import org.trainproof.analysis.RunClaims;
import org.trainproof.analysis.RunInputs;
import org.trainproof.verdict.CheckResult;

/**
 * Measures W9 (step-0 spectrum) and W10 (trajectory chord) on an already generated torch calibration grid, with the
 * whole standard analysis (auditor seed 1, as the benchmark), without regenerating or writing into the grid. Not a
 * unit test; prints one line per run and a summary, and writes them to {@code target/chord-spectrum-calibration.txt}:
 * <pre>
 * mvn -q -ntp test -Dtest=ChordSpectrumCalibration -Dtrainproof.chordcalibration=true \
 *     -Dtrainproof.calibration.root=/path/to/grid -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 * {@code -Dtrainproof.chordcalibration.only=d} restricts it to runs whose name starts with that prefix;
 * {@code -Dtrainproof.chordcalibration.checks=W10,W11} runs only those checks (W11's calibration).
 */
@EnabledIfSystemProperty(named = "trainproof.chordcalibration", matches = "true")
class ChordSpectrumCalibration {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void measure() throws Exception {
        Path root = Path.of(System.getProperty("trainproof.calibration.root", "target/calibration/grid")).toAbsolutePath();
        Assumptions.assumeTrue(Files.isDirectory(root), "no calibration grid at " + root);
        String only = System.getProperty("trainproof.chordcalibration.only", "");
        // -Dtrainproof.chordcalibration.checks=W10,W11: run only those checks (fast; the outcome column is then that of those checks alone).
        String checks = System.getProperty("trainproof.chordcalibration.checks", "");
        ConsistencyAnalysis analysis = checks.isEmpty() ? ConsistencyAnalysis.standard()
                : new ConsistencyAnalysis(ConsistencyAnalysis.standard().checks().stream().filter(c -> List.of(checks.split(",")).contains(c.id())).toList());
        List<Path> runs;
        try (Stream<Path> s = Files.list(root)) {
            runs = s.filter(p -> Files.exists(p.resolve("run-config.json")) && p.getFileName().toString().startsWith(only)).sorted().toList();
        }
        Path outFile = Path.of("target", "chord-spectrum-calibration.txt");
        Files.createDirectories(outFile.getParent());
        Map<String, double[]> range = new TreeMap<>(); // key group|check -> min, max
        Map<String, Map<String, Integer>> outcomes = new TreeMap<>();
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(outFile))) {
            for (Path run : runs) {
                String name = run.getFileName().toString();
                boolean honest = name.startsWith("h");
                String group = honest ? "honest" : name.split("-")[1];
                for (boolean full : honest ? List.of(true) : List.of(true, false)) {
                    List<Path> paths = new ArrayList<>();
                    paths.add(run.resolve("log.jsonl"));
                    try (Stream<Path> s = Files.list(run)) {
                        s.filter(p -> p.getFileName().toString().endsWith(".safetensors"))
                                .filter(p -> full || !p.getFileName().toString().equals("step-0.safetensors")).sorted().forEach(paths::add);
                    }
                    JsonNode cfg = JSON.readTree(run.resolve("run-config.json").toFile());
                    AnalysisInput in = RunInputs.fromFiles(paths, RunClaims.parse(cfg), 1L, AnalysisConfig.DEFAULT, new ArrayList<>());
                    ConsistencyVerdict v = analysis.run(in);
                    StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-44s %-7s %-13s", name, full ? "full" : "no-init", v.outcome()));
                    List<String> failed = new ArrayList<>();
                    for (CheckResult c : v.checks()) {
                        if (c.status().name().equals("FAIL")) failed.add(c.id());
                        if (!c.id().equals("W9") && !c.id().equals("W10") && !c.id().equals("W11")) continue;
                        line.append(String.format(Locale.ROOT, " %s %s %s", c.id(), c.status(), c.statistic() == null ? "-" : String.format(Locale.ROOT, "%.4g", c.statistic())));
                        if (c.effectSize() != null) line.append(String.format(Locale.ROOT, " (%.3g)", c.effectSize()));
                        if (c.statistic() != null && full) {
                            double[] mm = range.computeIfAbsent(group + "|" + c.id() + "|" + c.status(), k -> new double[] {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0});
                            mm[0] = Math.min(mm[0], c.statistic());
                            mm[1] = Math.max(mm[1], c.statistic());
                            mm[2]++;
                        }
                    }
                    line.append(" failed ").append(failed);
                    outcomes.computeIfAbsent(group + "|" + (full ? "full" : "no-init"), k -> new TreeMap<>()).merge(v.outcome().name(), 1, Integer::sum);
                    System.out.println(line);
                    out.println(line);
                    out.flush();
                }
            }
            out.println();
            range.forEach((k, mm) -> out.printf(Locale.ROOT, "%-32s runs %3d  min %.4g  max %.4g%n", k, (int) mm[2], mm[0], mm[1]));
            outcomes.forEach((k, m) -> out.printf(Locale.ROOT, "%-28s %s%n", k, m));
        }
        System.out.println(Files.readString(outFile).substring(Files.readString(outFile).lastIndexOf("\n\n")));
    }
}
