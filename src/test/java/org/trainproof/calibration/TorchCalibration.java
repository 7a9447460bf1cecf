package org.trainproof.calibration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.trainproof.cli.Cli;

/**
 * Runs the independent PyTorch trainer ({@code src/test/resources/calibration/torch_run.py}) over its grid
 * and analyses every run with {@code analyze} at several evidence levels. Used by {@link CalibrationBenchmark}
 * (the whole grid, behind a system property) and {@link TorchCalibrationQuickTest} (a few runs, default suite).
 */
final class TorchCalibration {
    static final Path SCRIPT = Path.of("src", "test", "resources", "calibration", "torch_run.py");
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Evidence variants a run is analysed at (the files given to {@code analyze}): everything; without the step-0
     * checkpoint; the step-0 and the final checkpoint only (no trajectory); the final checkpoint only; the log
     * only; everything but without the run-config (no claims); the step-0 checkpoint and two later ones (the middle
     * and the last: the fewest checkpoints the evidence rule once accepted as a trajectory, with a single checkpoint
     * between the first and the last, so W10's coherence rule cannot decide — issue 13, the evidence gap).
     */
    enum Variant {
        FULL("full"), NO_INIT("no-init"), INIT_FINAL("init+final"), FINAL_ONLY("final-only"), LOG_ONLY("log-only"), NO_CONFIG("no-config"),
        INIT_2("init+2");

        final String label;

        Variant(String label) {
            this.label = label;
        }

        /** Cheap variants (at most three checkpoints): analysed for honest runs too. */
        boolean cheap() {
            return this == INIT_FINAL || this == FINAL_ONLY || this == LOG_ONLY || this == INIT_2;
        }
    }

    /** One analysis: run, variant, exit code, and per check id its status and statistic. */
    record Result(String run, boolean honest, JsonNode spec, Variant variant, int exit, String evidence, Map<String, JsonNode> checks) {
        /** The evidence level the report names ("initialisation + trajectory", "logs only", ...), without the rule. */
        String level() {
            int i = evidence.indexOf(" — ");
            return evidence.isEmpty() ? "(no report)" : i < 0 ? evidence : evidence.substring(0, i);
        }

        String construction() {
            return honest ? "honest" : spec.path("construction").asText();
        }

        String status(String id) {
            JsonNode c = checks.get(id);
            return c == null ? "-" : c.path("status").asText();
        }

        double statistic(String id) {
            JsonNode c = checks.get(id);
            return c == null || !c.path("statistic").isNumber() ? Double.NaN : c.path("statistic").asDouble();
        }

        List<String> failed() {
            List<String> f = new ArrayList<>();
            checks.forEach((id, c) -> {
                if (c.path("status").asText().equals("FAIL")) f.add(id);
            });
            return f;
        }
    }

    static boolean torchAvailable() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import torch, numpy").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Generates the grid (runs already present are kept) and returns runs.jsonl's rows. */
    static List<JsonNode> generate(Path root, boolean quick) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("python3", SCRIPT.toString(), "--grid", root.toString()));
        if (quick) cmd.add("quick");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(root.resolveSibling(root.getFileName() + ".log").toFile()).start();
        if (!p.waitFor(3, TimeUnit.HOURS) || p.exitValue() != 0) {
            throw new IOException("torch_run.py --grid failed (exit " + p.exitValue() + "), see " + root.resolveSibling(root.getFileName() + ".log"));
        }
        List<JsonNode> rows = new ArrayList<>();
        for (String l : Files.readAllLines(root.resolve("runs.jsonl"))) if (!l.isBlank()) rows.add(JSON.readTree(l));
        return rows;
    }

    private static long step(Path p) {
        String n = p.getFileName().toString();
        return Long.parseLong(n.substring(n.indexOf('-') + 1, n.indexOf('.')));
    }

    /** Analyses one run at one evidence level with {@code analyze --seed 1 --run-config ... --json}. */
    static Result analyse(Path root, JsonNode row, Variant v) throws IOException {
        String name = row.path("name").asText();
        Path dir = root.resolve(name);
        List<String> args = new ArrayList<>(List.of("analyze", "--quiet", "--seed", "1"));
        if (v != Variant.NO_CONFIG) args.addAll(List.of("--run-config", dir.resolve("run-config.json").toString()));
        Path json = Files.createTempFile("calib-", ".json");
        Files.delete(json); // --json refuses to overwrite an existing file
        args.addAll(List.of("--json", json.toString()));
        args.add(dir.resolve("log.jsonl").toString());
        if (v != Variant.LOG_ONLY) {
            List<Path> ckpts;
            try (Stream<Path> s = Files.list(dir)) {
                ckpts = new ArrayList<>(s.filter(p -> p.getFileName().toString().endsWith(".safetensors"))
                        .sorted(java.util.Comparator.comparingLong(TorchCalibration::step)).toList());
            }
            Path init = ckpts.get(0), last = ckpts.get(ckpts.size() - 1);
            // init+2: the later checkpoint nearest the middle of the run (by index among the later ones) and the last.
            Path mid = ckpts.size() >= 3 ? ckpts.get(1 + (ckpts.size() - 2) / 2) : last;
            for (Path p : ckpts) {
                boolean keep = switch (v) {
                    case FULL, NO_CONFIG -> true;
                    case NO_INIT -> step(p) != 0;
                    case INIT_FINAL -> p.equals(init) || p.equals(last);
                    case INIT_2 -> p.equals(init) || p.equals(mid) || p.equals(last);
                    case FINAL_ONLY -> p.equals(last);
                    case LOG_ONLY -> false;
                };
                if (keep) args.add(p.toString());
            }
        }
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Cli.run(new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new));
        Map<String, JsonNode> checks = new LinkedHashMap<>();
        String evidence = "";
        if (Files.exists(json)) {
            JsonNode rep = JSON.readTree(json.toFile());
            for (JsonNode c : rep.path("checks")) checks.put(c.path("id").asText(), c);
            evidence = rep.path("parameters").path("evidence level").asText();
        }
        Files.deleteIfExists(json);
        return new Result(name, row.path("honest").asBoolean(), row.path("spec"), v, code, evidence, checks);
    }
}
