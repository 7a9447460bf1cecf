package org.trainproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** {@code --report FILE.html} of verify, analyze and compare on the fixture runs, and the page in headless Chromium. */
class HtmlReportCliTest {
    static final Path SCRATCH = Path.of("fixtures", "scratch");
    static final Path DERIVED = Path.of("fixtures", "derived");
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    @TempDir
    Path dir;

    static Document parse(Path html) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(Files.readAllBytes(html)));
    }

    /** Number of points of every polyline inside the figure with the given id (empty if absent). */
    static List<Integer> polylinePoints(Document doc, String figureId) {
        List<Integer> out = new ArrayList<>();
        NodeList figs = doc.getElementsByTagName("figure");
        for (int i = 0; i < figs.getLength(); i++) {
            Element f = (Element) figs.item(i);
            if (!f.getAttribute("id").equals(figureId)) continue;
            NodeList pl = f.getElementsByTagName("polyline");
            for (int k = 0; k < pl.getLength(); k++) out.add(((Element) pl.item(k)).getAttribute("points").trim().split(" +").length);
        }
        return out;
    }

    Path verifyScratch() {
        assumeTrue(Files.isRegularFile(SCRATCH.resolve("ledger.db")), "fixtures/scratch absent");
        Path html = dir.resolve("scratch.html");
        CliRun r = CliRun.run("verify", SCRATCH.resolve("ledger.db"), "--key", SCRATCH.resolve("signer.pub"), "--artifacts", SCRATCH,
                "--seed", "11", "--report", html, "--quiet");
        assertEquals(0, r.code(), r.toString());
        return html;
    }

    @Test
    void verify_scratchFixture_reportHasEveryRunChartWithData() throws Exception {
        Path html = verifyScratch();
        String text = Files.readString(html);
        assertFalse(text.contains("http://") || text.contains("https://"));
        Document doc = parse(html);
        // One loss line (200 logged steps + step 0) and the ln V reference line (vocab_size 64 claimed).
        List<Integer> loss = polylinePoints(doc, "chart-loss");
        assertEquals(1, loss.size());
        assertTrue(loss.get(0) > 100, "loss points " + loss);
        assertTrue(text.contains("ln V = 4.159"), "ln V of V = 64");
        for (String id : List.of("chart-lr", "chart-norms", "chart-distance", "chart-updates")) {
            List<Integer> pts = polylinePoints(doc, id);
            assertFalse(pts.isEmpty(), id);
            for (int p : pts) assertTrue(p > 1, id + " " + pts);
        }
        // 9 checkpoints: norms have 9 points per tensor, updates 8 intervals.
        assertTrue(polylinePoints(doc, "chart-norms").stream().allMatch(p -> p == 9), polylinePoints(doc, "chart-norms").toString());
        assertTrue(polylinePoints(doc, "chart-updates").stream().allMatch(p -> p == 8), polylinePoints(doc, "chart-updates").toString());
        assertTrue(text.contains("against the Adam learning-rate budget"), "betas claimed and lr logged: the budget is drawn");
        assertTrue(text.contains("id=\"checks\"") && text.contains("W3"), "checks table");
    }

    @Test
    void analyze_filesWithRunConfig_reportHasLossAndNormCharts() throws Exception {
        assumeTrue(Files.isRegularFile(SCRATCH.resolve("log.jsonl")), "fixtures/scratch absent");
        Path html = dir.resolve("analyze.html");
        List<Object> args = new ArrayList<>(List.of("analyze", "--run-config", SCRATCH.resolve("run-config.json"), "--seed", "3",
                "--report", html, "--quiet", SCRATCH.resolve("log.jsonl")));
        try (Stream<Path> s = Files.list(SCRATCH)) {
            s.filter(p -> p.toString().endsWith(".safetensors")).sorted().forEach(args::add);
        }
        CliRun r = CliRun.run(args.toArray());
        assertEquals(0, r.code(), r.toString());
        Document doc = parse(html);
        assertTrue(polylinePoints(doc, "chart-loss").get(0) > 100);
        assertTrue(polylinePoints(doc, "chart-norms").size() > 1);
    }

    @Test
    void compare_derivedFixture_reportHasNormGainBarsBesideNulls() throws Exception {
        assumeTrue(Files.isRegularFile(DERIVED.resolve("step-75.safetensors")), "fixtures/derived absent");
        Path html = dir.resolve("compare.html");
        CliRun r = CliRun.run("compare", SCRATCH.resolve("step-200.safetensors"), DERIVED.resolve("step-75.safetensors"),
                "--permutations", "199", "--report", html);
        assertEquals(6, r.code(), r.toString());
        Document doc = parse(html);
        String page = doc.getDocumentElement().getTextContent();
        assertTrue(page.contains("moment-predicted cosine") && page.contains("shuffled cosine") && page.contains("centered r"), page);
        int bars = 0;
        NodeList rects = doc.getElementsByTagName("rect");
        for (int i = 0; i < rects.getLength(); i++) if (((Element) rects.item(i)).getAttribute("class").equals("bar")) bars++;
        assertTrue(bars >= 4, "bars " + bars);
    }

    /** Opens the fixture report in headless Chromium: the page parses to the end and the charts are in the rendered DOM. */
    @Test
    void chromium_scratchReport_domHasChartsWithPoints() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "chromium not installed");
        Path html = verifyScratch();
        Path profile = Files.createDirectories(dir.resolve("profile"));
        Path png = dir.resolve("shot.png");
        String dom = chromium(profile, "--dump-dom", html.toUri().toString());
        assertTrue(dom.contains("Written by trainproof"), "the page loaded to its footer");
        for (String id : List.of("chart-loss", "chart-lr", "chart-norms", "chart-distance", "chart-updates")) {
            assertTrue(dom.contains("id=\"" + id + "\""), id);
        }
        Matcher m = Pattern.compile("<polyline[^>]*points=\"([^\"]*)\"").matcher(dom);
        int lines = 0;
        while (m.find()) {
            lines++;
            assertTrue(m.group(1).trim().split(" +").length > 1, "a polyline with fewer than 2 points");
        }
        assertTrue(lines >= 5, "polylines in the rendered DOM: " + lines);
        chromium(profile, "--screenshot=" + png, "--window-size=1280,2400", html.toUri().toString());
        assertTrue(Files.size(png) > 20_000, "screenshot of " + Files.size(png) + " bytes");
    }

    private static String chromium(Path profile, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                "--user-data-dir=" + profile));
        cmd.addAll(List.of(args));
        Path out = profile.resolveSibling("chromium.out");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish in 120 s");
        }
        assertEquals(0, p.exitValue(), "chromium exit");
        return Files.readString(out, StandardCharsets.UTF_8);
    }
}
