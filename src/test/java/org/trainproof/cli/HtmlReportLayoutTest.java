package org.trainproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.verdict.CheckResult;
import org.trainproof.verdict.CheckStatus;
import org.trainproof.verdict.Finding;
import org.trainproof.verdict.HtmlReport;
import org.trainproof.verdict.Location;
import org.trainproof.verdict.Outcome;
import org.trainproof.verdict.Report;
import org.trainproof.verdict.ReportCharts;
import org.trainproof.verdict.Severity;

/**
 * The HTML report laid out by headless Chromium at 1280 px (a laptop) and 390 px (a phone): no
 * horizontal overflow, every table and chart inside the viewport, every chart's axes labelled with a
 * unit and the labels drawn inside the chart. Each report is loaded into a {@code srcdoc} iframe of
 * the given width (headless Chromium will not make its window narrower than 500 px; an iframe is a
 * viewport of its own), and a script in the host page, not in the report, measures the laid-out
 * page and writes the result into the host's DOM, which {@code --dump-dom} prints. Skips where
 * Chromium is not installed ({@code .ci/run} installs Debian's {@code chromium}).
 */
class HtmlReportLayoutTest {
    static final Path SCRATCH = Path.of("fixtures", "scratch");
    static final Path DERIVED = Path.of("fixtures", "derived");
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final int[] WIDTHS = {1280, 390};
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** Runs in the host page after every iframe has loaded; one result object per iframe. */
    private static final String PROBE = """
            window.addEventListener('load', function () {
              var out = [];
              var frames = document.querySelectorAll('iframe');
              for (var k = 0; k < frames.length; k++) {
                var f = frames[k], d = f.contentDocument, de = d.documentElement, vw = de.clientWidth;
                var res = {name: f.dataset.name, width: +f.dataset.width, vw: vw, sw: de.scrollWidth, outside: [], charts: [], tables: 0};
                var els = d.querySelectorAll('body *');
                for (var i = 0; i < els.length; i++) {
                  var e = els[i];
                  if (e.closest('svg') && e.tagName.toLowerCase() !== 'svg') continue;
                  var r = e.getBoundingClientRect();
                  if (r.width > 0 && (r.right > vw + 0.5 || r.left < -0.5))
                    res.outside.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' [' + Math.round(r.left) + ', ' + Math.round(r.right) + ']');
                }
                res.tables = d.querySelectorAll('table').length;
                var figs = d.querySelectorAll('figure.chart');
                for (var j = 0; j < figs.length; j++) {
                  var svg = figs[j].querySelector('svg'), c = {id: figs[j].id, labels: [], cats: 0, clipped: []};
                  if (svg) {
                    var vb = svg.viewBox.baseVal;
                    var texts = svg.querySelectorAll('text');
                    for (var t = 0; t < texts.length; t++) {
                      var tx = texts[t], b = tx.getBBox(), m = tx.getCTM(), box = [b.x, b.y, b.x + b.width, b.y + b.height];
                      // corners of the text's box in the svg's user space (labels are rotated or translated)
                      var xs = [], ys = [];
                      [[box[0], box[1]], [box[2], box[1]], [box[0], box[3]], [box[2], box[3]]].forEach(function (p) {
                        var q = svg.createSVGPoint(); q.x = p[0]; q.y = p[1];
                        var s = q.matrixTransform(svg.getCTM().inverse().multiply(m));
                        xs.push(s.x); ys.push(s.y);
                      });
                      if (Math.min.apply(null, xs) < vb.x - 1 || Math.max.apply(null, xs) > vb.x + vb.width + 1
                          || Math.min.apply(null, ys) < vb.y - 1 || Math.max.apply(null, ys) > vb.y + vb.height + 1)
                        c.clipped.push(tx.textContent);
                      if (tx.classList.contains('label')) c.labels.push({text: tx.textContent, w: b.width});
                      if (tx.classList.contains('cat')) c.cats++;
                    }
                  }
                  res.charts.push(c);
                }
                out.push(res);
              }
              var p = document.createElement('pre');
              p.id = 'layout-probe';
              p.textContent = JSON.stringify(out);
              document.body.appendChild(p);
            });
            """;

    @Test
    void chromium_realReports_noOverflowAt1280And390_chartsLabelledWithUnits() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "chromium not installed at " + CHROMIUM + " (.ci/run installs it)");
        assumeTrue(Files.isRegularFile(SCRATCH.resolve("ledger.db")) && Files.isRegularFile(DERIVED.resolve("step-75.safetensors")),
                "fixtures/scratch or fixtures/derived absent");
        Map<String, String> pages = new LinkedHashMap<>();
        Path v = dir.resolve("verify.html");
        CliRun r = CliRun.run("verify", SCRATCH.resolve("ledger.db"), "--key", SCRATCH.resolve("signer.pub"), "--artifacts", SCRATCH,
                "--seed", "11", "--report", v, "--quiet");
        assertEquals(0, r.code(), r.toString());
        pages.put("verify", Files.readString(v));

        Path a = dir.resolve("analyze.html");
        List<Object> args = new ArrayList<>(List.of("analyze", "--run-config", SCRATCH.resolve("run-config.json"), "--seed", "3",
                "--report", a, "--quiet", SCRATCH.resolve("log.jsonl")));
        try (Stream<Path> s = Files.list(SCRATCH)) {
            s.filter(p -> p.toString().endsWith(".safetensors")).sorted().forEach(args::add);
        }
        r = CliRun.run(args.toArray());
        assertEquals(0, r.code(), r.toString());
        pages.put("analyze", Files.readString(a));

        // A failing comparison: findings with long codes and tensor names, bar charts with category labels.
        Path c = dir.resolve("compare.html");
        r = CliRun.run("compare", SCRATCH.resolve("step-200.safetensors"), DERIVED.resolve("step-75.safetensors"),
                "--permutations", "199", "--report", c, "--quiet");
        assertEquals(6, r.code(), r.toString());
        pages.put("compare", Files.readString(c));

        // A changed checkpoint file (committed fixture): an integrity failure with expected/actual digests in the findings table.
        Path changed = Path.of("fixtures", "tampered", "checkpoint-file-changed");
        Path t = dir.resolve("tampered.html");
        r = CliRun.run("verify", changed.resolve("ledger.db"), "--key", changed.resolve("signer.pub"), "--artifacts", changed,
                "--report", t, "--quiet");
        assertEquals(1, r.code(), r.toString());
        pages.put("tampered", Files.readString(t));

        List<JsonNode> results = layout(pages);
        List<String> problems = new ArrayList<>();
        for (JsonNode p : results) {
            String where = p.get("name").asText() + " at " + p.get("width").asInt() + " px";
            if (p.get("vw").asInt() != p.get("width").asInt()) problems.add(where + ": viewport " + p.get("vw") + " px");
            if (p.get("sw").asInt() > p.get("vw").asInt()) problems.add(where + ": page scrolls sideways, " + p.get("sw") + " px wide");
            for (JsonNode o : p.get("outside")) problems.add(where + ": outside the viewport: " + o.asText());
            if (p.get("tables").asInt() < 2) problems.add(where + ": " + p.get("tables") + " tables rendered");
            for (JsonNode ch : p.get("charts")) problems.addAll(chartProblems(where, ch));
        }
        assertEquals(2 * pages.size(), results.size(), results.toString());
        int charts = 0;
        for (JsonNode p : results) charts += p.get("charts").size();
        // verify and analyze draw loss, lr, norms, distance, updates; compare draws its two bar charts (per width)
        assertTrue(charts >= 2 * (5 + 5 + 2), "charts rendered: " + charts);
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    /** A report made to be wide: long unbroken names, digests, codes and numbers in every table, a 600-character statement. */
    @Test
    void chromium_longStatistics_wrapInsteadOfOverflowing() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "chromium not installed at " + CHROMIUM + " (.ci/run installs it)");
        String tensor = "model.language_model.encoder.layers.127.self_attention.query_key_value.weight_scale_inv";
        String digest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        List<CheckResult> checks = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            findings.add(new Finding("INTEGRITY_ARTIFACT_DIGEST_MISMATCH_AT_SHARD_BOUNDARY", Severity.FAIL,
                    "file " + "/mnt/evidence/" + "x".repeat(90) + "/step-" + i + ".safetensors differs from the ledger in " + tensor,
                    Location.file("/mnt/evidence/" + "y".repeat(120) + ".safetensors").withTensor(tensor).withStep(Long.MAX_VALUE - i),
                    -1.2345678901234567e-300, 9.87654321e300, Long.MAX_VALUE, 1e-320, digest + digest, digest.toUpperCase()));
        }
        checks.add(new CheckResult("INTEGRITY_WITH_A_LONG_IDENTIFIER", "ledger integrity of " + tensor, CheckStatus.FAIL,
                -1.2345678901234567e-300, 9.87654321e300, Long.MAX_VALUE, 1e-320, null, "root " + digest + digest + " " + tensor, findings));
        for (int i = 0; i < 10; i++) {
            checks.add(new CheckResult("W" + i, "check " + i + " " + tensor, i % 3 == 0 ? CheckStatus.INCONCLUSIVE : CheckStatus.PASS,
                    Double.POSITIVE_INFINITY, -Double.MAX_VALUE, (long) Integer.MAX_VALUE * i, Double.MIN_VALUE, null,
                    "detail " + digest + digest + digest + " over " + tensor, List.of())
                    // Issue 13: the rule that decided and its direction (the widest, "warns below (soft)") in every row.
                    .decidedBy("rule " + tensor + digest, i % 2 == 0 ? org.trainproof.verdict.Direction.WARNS_BELOW
                            : org.trainproof.verdict.Direction.FAILS_ABOVE));
        }
        Map<String, String> params = Map.of("auditor seed", "123456789012345678901234567890", "evidence level", "x".repeat(300),
                digest + digest, tensor + tensor);
        Report rep = Report.of("verify", "/mnt/evidence/" + "z".repeat(200) + "/ledger.db", checks, Outcome.INCONSISTENT,
                "INCONSISTENT: " + (tensor + " ").repeat(7), List.of("not checked: " + digest.repeat(4)), params);
        double[] x = new double[50], y = new double[50];
        for (int i = 0; i < 50; i++) {
            x[i] = 1e12 + i * 1e9;
            y[i] = 1e-30 * (i + 1);
        }
        List<ReportCharts.Bars> bars = new ArrayList<>();
        for (int i = 0; i < 24; i++) bars.add(new ReportCharts.Bars(tensor + i, new double[] {0.5, -0.25, 0.125}));
        ReportCharts charts = new ReportCharts(List.of(
                ReportCharts.Chart.lines("long", "A chart of " + tensor, "step (optimizer steps)", "value of " + tensor + " (weight units)",
                        List.of(new ReportCharts.Series(tensor + tensor, x, y), new ReportCharts.Series(digest, x, y)), List.of(), digest),
                ReportCharts.Chart.bars("many", "Bars of " + tensor, "cosine (unitless)", List.of(tensor, digest, "c"), bars, List.of(), null)));
        List<JsonNode> results = layout(Map.of("long", HtmlReport.render(rep, charts)));
        List<String> problems = new ArrayList<>();
        for (JsonNode p : results) {
            String where = "at " + p.get("width").asInt() + " px";
            if (p.get("sw").asInt() > p.get("vw").asInt()) problems.add(where + ": page scrolls sideways, " + p.get("sw") + " px wide");
            for (JsonNode o : p.get("outside")) problems.add(where + ": outside the viewport: " + o.asText());
            for (JsonNode ch : p.get("charts")) problems.addAll(chartProblems(where, ch));
        }
        assertEquals(2, results.size(), results.toString());
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    /** Every chart names its value axis with a unit in parentheses; line charts name the x axis too; labels are drawn, not clipped. */
    private static List<String> chartProblems(String where, JsonNode ch) {
        List<String> out = new ArrayList<>();
        String id = where + " " + ch.get("id").asText();
        List<String> labels = new ArrayList<>();
        for (JsonNode l : ch.get("labels")) {
            labels.add(l.get("text").asText());
            if (l.get("w").asDouble() <= 0) out.add(id + ": label not drawn: " + l.get("text").asText());
            if (!l.get("text").asText().matches(".*\\S.*\\(.*\\S.*\\).*")) out.add(id + ": axis label without a unit: " + l.get("text").asText());
        }
        boolean bars = ch.get("cats").asInt() > 0;
        if (labels.size() != (bars ? 1 : 2)) out.add(id + ": axis labels " + labels + (bars ? " (bar chart: one value axis)" : ""));
        for (JsonNode c : ch.get("clipped")) out.add(id + ": text outside the chart: " + c.asText());
        return out;
    }

    /** Lays out each page at every width in one Chromium run and returns the probe's measurements. */
    private List<JsonNode> layout(Map<String, String> pages) throws Exception {
        StringBuilder host = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"/></head><body style=\"margin:0\">\n");
        for (int w : WIDTHS) {
            for (Map.Entry<String, String> e : pages.entrySet()) {
                host.append("<iframe data-name=\"").append(e.getKey()).append("\" data-width=\"").append(w).append("\" width=\"").append(w)
                        .append("\" height=\"900\" style=\"border:0;display:block\" srcdoc=\"").append(HtmlReport.esc(e.getValue()))
                        .append("\"></iframe>\n");
            }
        }
        host.append("<script>").append(PROBE).append("</script></body></html>\n");
        Path file = dir.resolve("host.html");
        Files.writeString(file, host, StandardCharsets.UTF_8);
        Path profile = Files.createDirectories(dir.resolve("profile"));
        List<String> cmd = List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                "--user-data-dir=" + profile, "--window-size=1400,1000", "--dump-dom", file.toUri().toString());
        Path out = dir.resolve("dom.html");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish in 120 s");
        }
        assertEquals(0, p.exitValue(), "chromium exit");
        String dom = Files.readString(out, StandardCharsets.UTF_8);
        int at = dom.indexOf("<pre id=\"layout-probe\">");
        assertTrue(at >= 0, "the probe did not run; DOM starts: " + dom.substring(0, Math.min(400, dom.length())));
        String text = dom.substring(at + "<pre id=\"layout-probe\">".length(), dom.indexOf("</pre>", at))
                .replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&");
        List<JsonNode> res = new ArrayList<>();
        JSON.readTree(text).forEach(res::add);
        return res;
    }
}
