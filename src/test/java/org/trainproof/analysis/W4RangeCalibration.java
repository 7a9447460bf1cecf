package org.trainproof.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Calibration of W4's range rule ({@link AnalysisConfig.W4#maxReach}), a benchmark, not a unit test. For honest links of
 * every spacing it prints reach = Σ η over the link / RMS of the earlier checkpoint and whether the link shows dependence
 * (W4's p and r rules, before the range rule), then the smallest reach of an honest link without dependence (where honest
 * runs start to decorrelate) and the largest reach of a splice link (which the range rule must keep in range). Honest
 * runs: the Java toy AdamW trainer (seeds × peak LR × schedule × length × checkpoint spacing, including the sparse sets
 * {0, T} and {0, 200}) and, when {@code -Dtrainproof.calibration.root} names a PyTorch grid (see
 * docs/calibration-torch.md), every honest run there, read in place (read-only) at its own spacing and on the links
 * 0 → each later checkpoint. Run with:
 * <pre>nice mvn -B -q -ntp test -Dtest=W4RangeCalibration -Dtrainproof.w4range=true -Dtrainproof.calibration.root=/work/calib/grid</pre>
 */
class W4RangeCalibration {
    private static final AnalysisConfig.W4 CFG = AnalysisConfig.W4.DEFAULT;

    /** One link: where it came from, its statistics, and whether W4's dependence rules (before the range rule) fail it. */
    record Row(String source, String opt, boolean honest, long a, long b, AdjacentDependenceCheck.Link l, boolean fails) {
        String line() {
            return String.format(Locale.ROOT, "%-46s %-9s %-6s %5d->%-5d reach=%-9.4g r=%-7.3f p=%-9.3g %s", source, opt, honest ? "honest" : "SPLICE",
                    a, b, l.reach(), l.r(), l.p(), fails ? "NO-DEPENDENCE" : "ok");
        }
    }

    static boolean fails(Trajectory tr, int j, AdjacentDependenceCheck.Link l) {
        boolean rApplies = l.n() >= CFG.minSampleForR() && tr.step(j) != 0;
        return l.p() > CFG.pFail() || (rApplies && l.r() < CFG.rMin());
    }

    static void links(List<Row> out, String source, String opt, boolean honest, Trajectory tr, LrScheduleModel sched, int[][] pairs) {
        for (int[] pr : pairs) {
            AdjacentDependenceCheck.Link l = AdjacentDependenceCheck.link(tr, pr[0], pr[1], CFG, sched);
            if (l == null) continue;
            out.add(new Row(source, opt, honest, tr.step(pr[0]), tr.step(pr[1]), l, fails(tr, pr[0], l)));
        }
    }

    /** Consecutive links of the checkpoints at the given steps (indices into tr). */
    static int[][] chain(Trajectory tr, List<Long> steps) {
        List<int[]> p = new ArrayList<>();
        for (int i = 0; i + 1 < steps.size(); i++) p.add(new int[] {tr.indexOf(steps.get(i)), tr.indexOf(steps.get(i + 1))});
        return p.toArray(new int[0][]);
    }

    static List<Row> toy() {
        List<Row> rows = new ArrayList<>();
        double[] peaks = {1e-4, 1e-3, 3e-3, 1e-2, 3e-2};
        String[] shapes = {"cosine", "constant", "linear"};
        long[] totals = {200, 1000};
        for (long seed = 1; seed <= 3; seed++) {
            for (double peak : peaks) {
                for (String shape : shapes) {
                    for (long total : totals) {
                        ToyRun r = new ToyRun();
                        r.peak = peak;
                        r.minLr = peak / 10;
                        r.shape = shape;
                        r.total = total;
                        r.every = 10;
                        r.train(seed, ToyRun.freshInit(new SplittableRandom(seed ^ 0x5eed)), 0, total, new long[] {1, 200});
                        Trajectory tr = r.input().trajectory();
                        LrScheduleModel sched = r.schedule();
                        String src = String.format(Locale.ROOT, "toy s%d %s lr%.0e T%d", seed, shape, peak, total);
                        for (long every : new long[] {10, 50, 200, total}) {
                            List<Long> steps = new ArrayList<>();
                            for (long s = 0; s <= total; s += every) steps.add(s);
                            if (steps.get(steps.size() - 1) != total) steps.add(total);
                            links(rows, src + " e" + every, "adamw", true, tr, sched, chain(tr, steps));
                        }
                        links(rows, src + " {0,1,T}", "adamw", true, tr, sched, chain(tr, List.of(0L, 1L, total)));
                    }
                }
            }
        }
        for (long seed = 1; seed <= 12; seed++) {
            ToyRun sp = Scenarios.spliced(seed, 160);
            Trajectory tr = sp.input().trajectory();
            links(rows, "toy spliced s" + seed + " at 160", "adamw", false, tr, sp.schedule(), new int[][] {{tr.indexOf(140), tr.indexOf(160)}});
        }
        return rows;
    }

    static List<Row> grid(Path root) throws Exception {
        List<Row> rows = new ArrayList<>();
        ObjectMapper m = new ObjectMapper();
        for (String line : Files.readAllLines(root.resolve("runs.jsonl"))) {
            JsonNode run = m.readTree(line);
            String name = run.path("name").asText();
            boolean honest = run.path("honest").asBoolean();
            if (!honest && !run.path("spec").path("construction").asText().equals("spliced")) continue;
            Path dir = root.resolve(name);
            if (!Files.isDirectory(dir)) continue;
            List<Path> files;
            try (Stream<Path> s = Files.list(dir)) {
                files = s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).toList();
            }
            ObjectNode cfg = (ObjectNode) m.readTree(dir.resolve("run-config.json").toFile());
            RunClaims claims = RunClaims.parse(cfg);
            AnalysisInput in = RunInputs.fromFiles(files, claims, 1L, AnalysisConfig.DEFAULT, new ArrayList<>());
            Trajectory tr = in.trajectory();
            LrScheduleModel sched = LrScheduleModel.of(claims).model();
            String opt = run.path("spec").path("opt").asText();
            List<int[]> pairs = new ArrayList<>();
            for (int j = 0; j + 1 < tr.size(); j++) pairs.add(new int[] {j, j + 1});
            if (honest && tr.indexOf(0) == 0) {
                // 0 -> each later checkpoint at geometric spacing, always the final one
                int prev = 1;
                for (int k = 2; k < tr.size(); k = Math.max(k + 1, (int) (k * 1.5))) {
                    pairs.add(new int[] {0, k});
                    prev = k;
                }
                if (prev != tr.size() - 1) pairs.add(new int[] {0, tr.size() - 1});
            }
            links(rows, name, opt, honest, tr, sched, pairs.toArray(new int[0][]));
        }
        return rows;
    }

    @Test
    void calibrate() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("trainproof.w4range"), "set -Dtrainproof.w4range=true to run the W4 range calibration");
        long t0 = System.nanoTime();
        List<Row> rows = new ArrayList<>(toy());
        String root = System.getProperty("trainproof.calibration.root");
        if (root != null && Files.isDirectory(Path.of(root))) rows.addAll(grid(Path.of(root)));
        else System.out.println("no PyTorch grid (set -Dtrainproof.calibration.root): toy runs only");
        for (Row r : rows) if (r.fails() || !r.honest()) System.out.println(r.line());
        System.out.println();
        summarise(rows, "all");
        for (String opt : rows.stream().map(Row::opt).distinct().sorted().toList()) summarise(rows.stream().filter(r -> r.opt().equals(opt)).toList(), opt);
        System.out.printf(Locale.ROOT, "elapsed %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    static void summarise(List<Row> rows, String what) {
        long hRuns = rows.stream().filter(Row::honest).map(Row::source).distinct().count();
        long hLinks = rows.stream().filter(Row::honest).count();
        List<Row> hFail = rows.stream().filter(r -> r.honest() && r.fails()).toList();
        double minFailReach = hFail.stream().mapToDouble(r -> r.l().reach()).min().orElse(Double.NaN);
        double maxPassReach = rows.stream().filter(r -> r.honest() && !r.fails()).mapToDouble(r -> r.l().reach()).max().orElse(Double.NaN);
        List<Row> sp = rows.stream().filter(r -> !r.honest() && r.fails()).toList();
        double maxSpliceReach = sp.stream().mapToDouble(r -> r.l().reach()).max().orElse(Double.NaN);
        long spInRange = rows.stream().filter(r -> !r.honest()).count();
        // Margin inside the range: how close honest links at reach <= maxReach come to W4's p and r lines.
        List<Row> in = rows.stream().filter(r -> r.honest() && r.l().reach() <= CFG.maxReach()).toList();
        double maxP = in.stream().mapToDouble(r -> r.l().p()).max().orElse(Double.NaN);
        double minR = in.stream().filter(r -> r.a() != 0 && r.l().n() >= CFG.minSampleForR()).mapToDouble(r -> r.l().r()).min().orElse(Double.NaN);
        System.out.printf(Locale.ROOT, "%-10s honest links in range (reach <= %s): %d, largest p %.3g (fails above %s), smallest r after step 0 %.3f (fails below %s)%n",
                what, CFG.maxReach(), in.size(), maxP, CFG.pFail(), minR, CFG.rMin());
        System.out.printf(Locale.ROOT, "%-10s honest: %d sources, %d links, %d without dependence, smallest reach of those %.4g; largest reach of a dependent honest"
                        + " link %.4g | splice links without dependence: %d of %d, largest reach %.4g%n",
                what, hRuns, hLinks, hFail.size(), minFailReach, maxPassReach, sp.size(), spInRange, maxSpliceReach);
    }
}
