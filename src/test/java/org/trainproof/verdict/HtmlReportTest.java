package org.trainproof.verdict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.NodeList;

class HtmlReportTest {
    static final String HOSTILE = "<script>alert(1)</script>\"' & <img src=x onerror=alert(2)>";

    /** Parses the page as XML (the writer promises well-formed markup); fails on any syntax error. */
    static Document parse(String html) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        f.setExpandEntityReferences(false);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
    }

    static Report hostileReport() {
        Finding f = Finding.of("W3_STEP_TOO_LARGE", Severity.FAIL, "moved " + HOSTILE)
                .at(Location.file(HOSTILE + ".safetensors").withTensor(HOSTILE).withStep(40)).withStatistic(2.5, 1.0, 100L);
        List<CheckResult> checks = List.of(
                new CheckResult("W3", "per-element step", CheckStatus.FAIL, 2.5, 1.0, 100L, null, null, "tensor " + HOSTILE, List.of(f)),
                CheckResult.notRun("C1", "compute", "no peak FLOP/s for " + HOSTILE));
        return Report.of("verify", HOSTILE + "/ledger.db", checks, Outcome.INCONSISTENT, "INCONSISTENT: " + HOSTILE,
                List.of("rollback: " + HOSTILE), Map.of("auditor seed", HOSTILE));
    }

    static ReportCharts charts() {
        double[] x = new double[500], y = new double[500];
        for (int i = 0; i < x.length; i++) {
            x[i] = i;
            y[i] = 4.0 * Math.exp(-i / 80.0) + 1;
        }
        return new ReportCharts(List.of(
                ReportCharts.Chart.lines("loss", "loss " + HOSTILE, "step", "loss (nats)",
                        List.of(new ReportCharts.Series(HOSTILE, x, y)), List.of(new ReportCharts.Reference("ln V " + HOSTILE, Math.log(64))),
                        "note " + HOSTILE),
                ReportCharts.Chart.bars("gains", "gains", "cosine (unitless)", List.of("raw", "r"),
                        List.of(new ReportCharts.Bars(HOSTILE, new double[] {0.9, 0.1}), new ReportCharts.Bars("b", new double[] {0.5, -0.2})),
                        List.of(), null)));
    }

    @Test
    void render_hostileNames_escapedWellFormedAndSelfContained() throws Exception {
        String html = HtmlReport.render(hostileReport(), charts());
        Document doc = parse(html);
        assertFalse(html.contains("http://") || html.contains("https://"), "network reference in the page");
        assertFalse(html.toLowerCase().contains("<script"), "a script element or unescaped hostile name");
        assertFalse(html.contains("<img"), "unescaped hostile name");
        assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assertEquals(0, doc.getElementsByTagName("script").getLength());
        assertEquals(0, doc.getElementsByTagName("img").getLength());
        // No element anywhere carries a resource-loading attribute or an event handler.
        NodeList all = doc.getElementsByTagName("*");
        for (int i = 0; i < all.getLength(); i++) {
            NamedNodeMap attrs = all.item(i).getAttributes();
            for (int a = 0; a < attrs.getLength(); a++) {
                String n = attrs.item(a).getNodeName().toLowerCase();
                assertFalse(n.equals("src") || n.equals("href") || n.startsWith("on") || n.equals("xlink:href"), "attribute " + n);
            }
        }
        // The hostile text survives as text: it is shown to the reader, exactly.
        assertTrue(doc.getDocumentElement().getTextContent().contains(HOSTILE));
    }

    @Test
    void render_lineChart_polylineHasAllPointsAxesAndLegend() throws Exception {
        Document doc = parse(HtmlReport.render(hostileReport(), charts()));
        Element fig = byId(doc, "chart-loss");
        NodeList lines = fig.getElementsByTagName("polyline");
        assertEquals(1, lines.getLength());
        String[] pts = ((Element) lines.item(0)).getAttribute("points").trim().split(" ");
        assertEquals(500, pts.length);
        assertEquals(1, fig.getElementsByTagName("svg").getLength());
        assertTrue(fig.getTextContent().contains("loss (nats)") && fig.getTextContent().contains("step"), "axis labels");
        assertTrue(fig.getTextContent().contains("ln V"), "legend names the reference line");
        int refs = 0;
        NodeList ls = fig.getElementsByTagName("line");
        for (int i = 0; i < ls.getLength(); i++) if (((Element) ls.item(i)).getAttribute("class").equals("reference")) refs++;
        assertEquals(1, refs);
        // Decreasing loss: the first point is drawn higher (smaller SVG y) than the last.
        double y0 = Double.parseDouble(pts[0].split(",")[1]), yN = Double.parseDouble(pts[pts.length - 1].split(",")[1]);
        assertTrue(y0 < yN, y0 + " vs " + yN);
        Element bars = byId(doc, "chart-gains");
        assertEquals(4, bars.getElementsByTagName("rect").getLength() - 2, "4 bars plus 2 legend boxes");
    }

    @Test
    void segments_longSeriesWithSpikeAndNaN_reducedSplitAndSpikeKept() {
        int n = 100_000;
        double[] x = new double[n], y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i;
            y[i] = 1 + 0.01 * Math.sin(i);
        }
        y[77_777] = 50;
        y[50_000] = Double.NaN;
        List<double[][]> segs = HtmlReport.segments(new ReportCharts.Series("s", x, y));
        assertEquals(2, segs.size());
        double max = Double.NEGATIVE_INFINITY;
        int points = 0;
        for (double[][] s : segs) {
            points += s[0].length;
            for (double v : s[1]) max = Math.max(max, v);
            for (int i = 1; i < s[0].length; i++) assertTrue(s[0][i] > s[0][i - 1], "x order kept");
        }
        assertTrue(points <= 2 * HtmlReport.MAX_POINTS, "points " + points);
        assertEquals(50, max, "the spike survives the reduction");
    }

    @Test
    void render_noCharts_stillWellFormedWithChecksTable() throws Exception {
        Document doc = parse(HtmlReport.render(hostileReport(), ReportCharts.NONE));
        assertEquals(0, doc.getElementsByTagName("svg").getLength());
        Element checks = byId(doc, "checks");
        assertEquals(3, checks.getElementsByTagName("tr").getLength(), "header + 2 checks");
    }

    static Element byId(Document doc, String id) {
        NodeList all = doc.getElementsByTagName("*");
        List<Element> hits = new ArrayList<>();
        for (int i = 0; i < all.getLength(); i++) {
            Element e = (Element) all.item(i);
            if (id.equals(e.getAttribute("id"))) hits.add(e);
        }
        assertEquals(1, hits.size(), "elements with id " + id);
        return hits.get(0);
    }
}
