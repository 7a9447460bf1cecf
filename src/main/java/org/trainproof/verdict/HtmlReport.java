package org.trainproof.verdict;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One self-contained HTML file an auditor can open anywhere: the verdict line, findings (most severe
 * first), the checks table, charts as inline SVG (axes with units, legends), what was not checked, and
 * the parameters to reproduce the run. No scripts, no fonts, no network references: the page is
 * static markup plus one inline style sheet. The markup is also well-formed XML (every element
 * closed, only the five XML entities), so a test can parse it with the JDK's XML parser.
 *
 * <p>Every string from input (tensor names, file names, messages) goes through {@link #esc}.
 */
public final class HtmlReport {
    /** Points drawn per series at most; longer series are reduced to the min and max of each bucket. */
    static final int MAX_POINTS = 1600;
    /** Findings listed at most; the rest are counted (the JSON report has them all). */
    static final int MAX_FINDINGS = 300;

    private static final String[] PALETTE = {
        "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"};

    private static final int W = 1080, H = 330, ML = 78, MR = 24, MT = 18, MB = 52;

    private HtmlReport() {}

    /** Writes via a temp file and rename, so a reader never sees half a report. */
    public static void write(Report r, ReportCharts charts, Path file) throws IOException {
        Path abs = file.toAbsolutePath();
        Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            w.write(render(r, charts));
        }
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public static String render(Report r, ReportCharts charts) {
        if (charts == null) charts = ReportCharts.NONE;
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n")
                .append("<title>trainproof ").append(esc(r.command())).append(": ").append(esc(r.outcome().name())).append("</title>\n")
                .append("<style>").append(CSS).append("</style>\n</head>\n<body>\n<main>\n");
        h.append("<header><div class=\"tool\">trainproof ").append(esc(r.command())).append("</div>\n")
                .append("<div class=\"subject\">").append(esc(r.subject())).append("</div></header>\n");
        h.append("<section id=\"verdict\" class=\"verdict ").append(outcomeClass(r.outcome())).append("\">")
                .append("<div class=\"outcome\">").append(esc(r.outcome().name().replace('_', ' '))).append(" <span class=\"exit\">exit ")
                .append(r.exitCode()).append("</span></div><p>").append(esc(r.statement())).append("</p></section>\n");
        findings(h, r);
        checks(h, r);
        if (!charts.charts().isEmpty()) {
            h.append("<section id=\"charts\"><h2>Charts</h2>\n");
            for (ReportCharts.Chart c : charts.charts()) chart(h, c);
            h.append("</section>\n");
        }
        h.append("<section id=\"not-checked\"><h2>Not checked</h2>\n");
        if (r.notChecked().isEmpty()) h.append("<p>Nothing was left out.</p>\n");
        else {
            h.append("<ul>\n");
            for (String s : r.notChecked()) h.append("<li>").append(esc(s)).append("</li>\n");
            h.append("</ul>\n");
        }
        h.append("</section>\n");
        parameters(h, r);
        provenance(h, r);
        h.append("<footer>Written by trainproof. Self-contained: no scripts, fonts or network resources. ")
                .append("The JSON report (--json) holds every finding with the same codes.</footer>\n");
        h.append("</main>\n</body>\n</html>\n");
        return h.toString();
    }

    private static void findings(StringBuilder h, Report r) {
        List<Finding> all = r.findings();
        List<Finding> shown = all.stream().filter(f -> f.severity() != Severity.INFO).toList();
        long info = all.size() - shown.size();
        h.append("<section id=\"findings\"><h2>Findings</h2>\n");
        if (shown.isEmpty()) {
            h.append("<p>No failures or warnings").append(info > 0 ? " (" + info + " informational finding" + (info == 1 ? "" : "s")
                    + " in the JSON report)" : "").append(".</p></section>\n");
            return;
        }
        h.append("<div class=\"wide\"><table class=\"findings rows\"><thead><tr><th>severity</th><th>code</th><th>where</th><th>statistic</th>")
                .append("<th>threshold</th><th>n</th><th>what</th></tr></thead>\n<tbody>\n");
        int k = 0;
        for (Finding f : shown) {
            if (k++ == MAX_FINDINGS) break;
            h.append("<tr class=\"").append(f.severity().name().toLowerCase(Locale.ROOT)).append("\"><td data-label=\"severity\">")
                    .append(f.severity()).append("</td><td class=\"code\" data-label=\"code\">").append(esc(f.code()))
                    .append("</td><td data-label=\"where\">").append(esc(f.location().toString()))
                    .append("</td><td class=\"num\" data-label=\"statistic\">").append(num(f.statistic()))
                    .append("</td><td class=\"num\" data-label=\"threshold\">").append(num(f.threshold()))
                    .append("</td><td class=\"num\" data-label=\"n\">").append(f.n() == null ? "" : f.n())
                    .append("</td><td data-label=\"what\">").append(esc(f.message()));
            if (f.expected() != null || f.actual() != null) {
                h.append("<div class=\"mismatch\">expected ").append(esc(String.valueOf(f.expected()))).append("<br/>actual ")
                        .append(esc(String.valueOf(f.actual()))).append("</div>");
            }
            h.append("</td></tr>\n");
        }
        h.append("</tbody></table></div>\n");
        if (shown.size() > MAX_FINDINGS) {
            h.append("<p class=\"note\">").append(shown.size() - MAX_FINDINGS).append(" more not shown; the JSON report lists all.</p>\n");
        }
        if (info > 0) h.append("<p class=\"note\">").append(info).append(" informational finding").append(info == 1 ? "" : "s")
                .append(" not shown (see the JSON report).</p>\n");
        h.append("</section>\n");
    }

    private static void checks(StringBuilder h, Report r) {
        h.append("<section id=\"checks\"><h2>Checks</h2>\n<div class=\"wide\"><table class=\"checks rows\"><thead><tr><th>check</th><th>name</th>")
                .append("<th>status</th><th>statistic</th><th>threshold</th><th>n</th><th>p</th><th>detail</th></tr></thead>\n<tbody>\n");
        for (CheckResult c : r.checks()) {
            String st = c.status().name();
            h.append("<tr><td class=\"code\" data-label=\"check\">").append(esc(c.id())).append("</td><td data-label=\"name\">")
                    .append(esc(c.name())).append("</td><td data-label=\"status\">")
                    .append("<span class=\"status s-").append(st.toLowerCase(Locale.ROOT)).append("\">").append(st.replace('_', ' '))
                    .append("</span></td><td class=\"num\" data-label=\"statistic\">").append(num(c.statistic()))
                    .append("</td><td class=\"num line\" data-label=\"threshold\">").append(thresholdCell(c))
                    .append("</td><td class=\"num\" data-label=\"n\">").append(c.n() == null ? "" : c.n())
                    .append("</td><td class=\"num\" data-label=\"p\">").append(num(c.pValue()))
                    .append("</td><td data-label=\"detail\">");
            if (c.rule() != null) h.append("<div class=\"rule\">statistic: ").append(esc(c.rule())).append("</div>");
            h.append(esc(c.detail())).append("</td></tr>\n");
        }
        h.append("</tbody></table></div></section>\n");
    }

    /** The threshold and, under it, the side that counts against the run ("fails above", "warns below, soft"). */
    private static String thresholdCell(CheckResult c) {
        if (c.threshold() == null) return "";
        String t = num(c.threshold());
        if (c.direction() == null || c.direction() == Direction.NONE) return t;
        return "<span class=\"dir\">" + c.direction().words() + (c.direction().soft() ? " (soft)" : "") + "</span> " + t;
    }

    private static void parameters(StringBuilder h, Report r) {
        if (r.parameters().isEmpty() && r.integrity() == null) return;
        h.append("<section id=\"parameters\"><h2>Parameters</h2>\n<table class=\"kv\"><tbody>\n");
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(r.parameters()).entrySet()) {
            h.append("<tr><th>").append(esc(e.getKey())).append("</th><td>").append(esc(e.getValue())).append("</td></tr>\n");
        }
        if (r.integrity() != null) {
            for (Map.Entry<String, Object> e : r.integrity().entrySet()) {
                if (e.getValue() == null) continue;
                h.append("<tr><th>").append(esc(e.getKey().replace('_', ' '))).append("</th><td>")
                        .append(esc(String.valueOf(e.getValue()))).append("</td></tr>\n");
            }
        }
        h.append("</tbody></table></section>\n");
    }

    /** Which tool wrote the report, when, from which command line, and the run's claims (issue 18). */
    private static void provenance(StringBuilder h, Report r) {
        Provenance p = r.provenance();
        if (p == null) return;
        h.append("<section id=\"provenance\"><h2>Provenance</h2>\n<table class=\"kv\"><tbody>\n");
        kv(h, "tool", p.tool() + " " + p.toolVersion() + (p.build() == null ? "" : " (built " + p.build() + ")"));
        kv(h, "created (UTC)", p.created());
        kv(h, "command line", p.commandLine().isEmpty() ? "(library call)" : String.join(" ", p.commandLine()));
        kv(h, "claims source", p.claimsSource());
        h.append("<tr><th>claims</th><td>");
        if (p.claims() == null) h.append("none");
        else h.append("<pre class=\"claims\">").append(esc(p.claims().toPrettyString())).append("</pre>");
        h.append("</td></tr>\n</tbody></table></section>\n");
    }

    private static void kv(StringBuilder h, String k, String v) {
        h.append("<tr><th>").append(esc(k)).append("</th><td>").append(esc(v)).append("</td></tr>\n");
    }

    // ---- charts ---------------------------------------------------------------------------------

    private static void chart(StringBuilder h, ReportCharts.Chart c) {
        h.append("<figure class=\"chart\" id=\"chart-").append(esc(c.id())).append("\">\n<figcaption>").append(esc(c.title()))
                .append("</figcaption>\n");
        if (c.isBars()) bars(h, c);
        else lines(h, c);
        if (c.note() != null && !c.note().isEmpty()) h.append("<p class=\"note\">").append(esc(c.note())).append("</p>\n");
        h.append("</figure>\n");
    }

    private static void lines(StringBuilder h, ReportCharts.Chart c) {
        double xlo = Double.POSITIVE_INFINITY, xhi = Double.NEGATIVE_INFINITY, ylo = Double.POSITIVE_INFINITY, yhi = Double.NEGATIVE_INFINITY;
        for (ReportCharts.Series s : c.series()) {
            double[] x = s.x(), y = s.y();
            for (int i = 0; i < x.length; i++) {
                if (!Double.isFinite(x[i]) || !Double.isFinite(y[i])) continue;
                xlo = Math.min(xlo, x[i]);
                xhi = Math.max(xhi, x[i]);
                ylo = Math.min(ylo, y[i]);
                yhi = Math.max(yhi, y[i]);
            }
        }
        for (ReportCharts.Reference ref : c.references()) {
            if (!Double.isFinite(ref.y())) continue;
            ylo = Math.min(ylo, ref.y());
            yhi = Math.max(yhi, ref.y());
        }
        if (!(xlo <= xhi) || !(ylo <= yhi)) {
            h.append("<p class=\"note\">No data to draw.</p>\n");
            return;
        }
        List<String> legend = new ArrayList<>();
        for (ReportCharts.Series s : c.series()) legend.add(s.label());
        for (ReportCharts.Reference ref : c.references()) legend.add(ref.label());
        int legendRows = legendRows(legend);
        int height = H + 20 * legendRows;
        Axis xa = Axis.of(xlo, xhi, ML, W - MR, false);
        Axis ya = Axis.of(ylo, yhi, MT + 20 * legendRows + (H - MT - MB), MT + 20 * legendRows, true);
        int top = MT + 20 * legendRows, bottom = top + (H - MT - MB);
        svgOpen(h, height, c.title());
        axes(h, xa, ya, top, bottom, c.xLabel(), c.yLabel());
        h.append("<g class=\"plot\">\n");
        int color = 0;
        for (ReportCharts.Series s : c.series()) {
            String col = PALETTE[color++ % PALETTE.length];
            for (double[][] seg : segments(s)) {
                h.append("<polyline class=\"series\" fill=\"none\" stroke=\"").append(col).append("\" stroke-width=\"1.6\" points=\"");
                for (int i = 0; i < seg[0].length; i++) {
                    if (i > 0) h.append(' ');
                    h.append(px(xa.map(seg[0][i]))).append(',').append(px(ya.map(seg[1][i])));
                }
                h.append("\"><title>").append(esc(s.label())).append("</title></polyline>\n");
                if (seg[0].length == 1) {
                    h.append("<circle r=\"2.5\" fill=\"").append(col).append("\" cx=\"").append(px(xa.map(seg[0][0]))).append("\" cy=\"")
                            .append(px(ya.map(seg[1][0]))).append("\"/>\n");
                }
            }
            if (s.size() <= 40) {
                double[] x = s.x(), y = s.y();
                for (int i = 0; i < x.length; i++) {
                    if (!Double.isFinite(x[i]) || !Double.isFinite(y[i])) continue;
                    h.append("<circle r=\"2.2\" fill=\"").append(col).append("\" cx=\"").append(px(xa.map(x[i]))).append("\" cy=\"")
                            .append(px(ya.map(y[i]))).append("\"><title>").append(esc(s.label())).append(": ").append(num(x[i]))
                            .append(", ").append(num(y[i])).append("</title></circle>\n");
                }
            }
        }
        for (ReportCharts.Reference ref : c.references()) {
            String col = PALETTE[color++ % PALETTE.length];
            if (!Double.isFinite(ref.y())) continue;
            double y = ya.map(ref.y());
            h.append("<line class=\"reference\" stroke=\"").append(col).append("\" stroke-width=\"1.4\" stroke-dasharray=\"6 4\" x1=\"")
                    .append(ML).append("\" x2=\"").append(W - MR).append("\" y1=\"").append(px(y)).append("\" y2=\"").append(px(y))
                    .append("\"><title>").append(esc(ref.label())).append("</title></line>\n");
        }
        h.append("</g>\n");
        legend(h, legend, c.series().size());
        h.append("</svg>\n");
    }

    private static void bars(StringBuilder h, ReportCharts.Chart c) {
        double ylo = 0, yhi = 0;
        for (ReportCharts.Bars b : c.bars()) {
            for (double v : b.values()) {
                if (!Double.isFinite(v)) continue;
                ylo = Math.min(ylo, v);
                yhi = Math.max(yhi, v);
            }
        }
        for (ReportCharts.Reference ref : c.references()) {
            if (!Double.isFinite(ref.y())) continue;
            ylo = Math.min(ylo, ref.y());
            yhi = Math.max(yhi, ref.y());
        }
        if (ylo == yhi) yhi = ylo + 1;
        List<String> legend = new ArrayList<>(c.groups());
        for (ReportCharts.Reference ref : c.references()) legend.add(ref.label());
        int legendRows = legendRows(legend);
        int labelSpace = c.bars().stream().allMatch(b -> 7 * Math.min(b.category().length(), 40) + 12 < (double) (W - MR - ML) / c.bars().size()) ? 30 : 110;
        int top = MT + 20 * legendRows, bottom = top + (H - MT - MB);
        int height = bottom + labelSpace;
        Axis ya = Axis.of(ylo, yhi, bottom, top, true);
        svgOpen(h, height, c.title());
        axes(h, null, ya, top, bottom, null, c.yLabel());
        int nCat = c.bars().size(), nGrp = Math.max(1, c.groups().size());
        double slot = (double) (W - MR - ML) / Math.max(1, nCat);
        double bw = Math.min(36, Math.max(1, slot * 0.8 / nGrp));
        boolean flat = c.bars().stream().allMatch(b -> 7 * Math.min(b.category().length(), 40) + 12 < slot);
        double zero = ya.map(0);
        h.append("<g class=\"plot\">\n");
        for (int ci = 0; ci < nCat; ci++) {
            ReportCharts.Bars b = c.bars().get(ci);
            double[] v = b.values();
            double x0 = ML + ci * slot + (slot - bw * nGrp) / 2;
            for (int g = 0; g < v.length && g < nGrp; g++) {
                if (!Double.isFinite(v[g])) continue;
                double y = ya.map(v[g]);
                h.append("<rect class=\"bar\" fill=\"").append(PALETTE[g % PALETTE.length]).append("\" x=\"").append(px(x0 + g * bw))
                        .append("\" y=\"").append(px(Math.min(y, zero))).append("\" width=\"").append(px(bw)).append("\" height=\"")
                        .append(px(Math.max(0.5, Math.abs(zero - y)))).append("\"><title>").append(esc(b.category())).append(" ")
                        .append(esc(g < c.groups().size() ? c.groups().get(g) : "")).append(": ").append(num(v[g]))
                        .append("</title></rect>\n");
            }
            double cx = ML + ci * slot + slot / 2;
            if (flat) {
                String label = b.category().length() > 40 ? b.category().substring(0, 39) + "\u2026" : b.category();
                h.append("<text class=\"cat\" text-anchor=\"middle\" x=\"").append(px(cx)).append("\" y=\"").append(bottom + 16)
                        .append("\">").append(esc(label)).append("</text>\n");
            } else {
                // rotated 35 degrees from its end at cx: at most 28 characters, fewer where the label would cross the left edge
                // (10 px labels advance at most about 6.2 px a character, measured in Chromium)
                int max = Math.max(4, Math.min(Math.min(28, (int) ((labelSpace - 20) / (6.2 * Math.sin(Math.toRadians(35))))),
                        (int) ((cx - 10) / (6.2 * Math.cos(Math.toRadians(35))))));
                String label = b.category().length() > max ? "\u2026" + b.category().substring(b.category().length() - (max - 1)) : b.category();
                h.append("<text class=\"cat\" text-anchor=\"end\" transform=\"translate(").append(px(cx)).append(',').append(bottom + 10)
                        .append(") rotate(-35)\">").append(esc(label)).append("</text>\n");
            }
        }
        int color = nGrp;
        for (ReportCharts.Reference ref : c.references()) {
            String col = PALETTE[color++ % PALETTE.length];
            if (!Double.isFinite(ref.y())) continue;
            double y = ya.map(ref.y());
            h.append("<line class=\"reference\" stroke=\"").append(col).append("\" stroke-width=\"1.4\" stroke-dasharray=\"6 4\" x1=\"")
                    .append(ML).append("\" x2=\"").append(W - MR).append("\" y1=\"").append(px(y)).append("\" y2=\"").append(px(y))
                    .append("\"/>\n");
        }
        h.append("</g>\n");
        legendBars(h, legend, nGrp);
        h.append("</svg>\n");
    }

    private static void svgOpen(StringBuilder h, int height, String title) {
        h.append("<svg class=\"plot\" role=\"img\" width=\"").append(W).append("\" height=\"").append(height).append("\" viewBox=\"0 0 ")
                .append(W).append(' ').append(height).append("\"><title>").append(esc(title)).append("</title>\n");
    }

    private static void axes(StringBuilder h, Axis xa, Axis ya, int top, int bottom, String xLabel, String yLabel) {
        h.append("<g class=\"axes\">\n");
        for (double t : ya.ticks) {
            double y = ya.map(t);
            h.append("<line class=\"grid\" x1=\"").append(ML).append("\" x2=\"").append(W - MR).append("\" y1=\"").append(px(y))
                    .append("\" y2=\"").append(px(y)).append("\"/>\n<text class=\"tick\" text-anchor=\"end\" x=\"").append(ML - 6)
                    .append("\" y=\"").append(px(y + 4)).append("\">").append(esc(tick(t, ya.step))).append("</text>\n");
        }
        if (xa != null) {
            for (double t : xa.ticks) {
                double x = xa.map(t);
                h.append("<line class=\"grid\" x1=\"").append(px(x)).append("\" x2=\"").append(px(x)).append("\" y1=\"").append(top)
                        .append("\" y2=\"").append(bottom).append("\"/>\n<text class=\"tick\" text-anchor=\"middle\" x=\"").append(px(x))
                        .append("\" y=\"").append(bottom + 16).append("\">").append(esc(tick(t, xa.step))).append("</text>\n");
            }
            h.append("<text class=\"label\" text-anchor=\"middle\" x=\"").append((ML + W - MR) / 2).append("\" y=\"").append(bottom + 38)
                    .append('"');
            axisLabel(h, xLabel, W - MR - ML);
        }
        h.append("<line class=\"axis\" x1=\"").append(ML).append("\" x2=\"").append(W - MR).append("\" y1=\"").append(bottom)
                .append("\" y2=\"").append(bottom).append("\"/>\n<line class=\"axis\" x1=\"").append(ML).append("\" x2=\"").append(ML)
                .append("\" y1=\"").append(top).append("\" y2=\"").append(bottom).append("\"/>\n");
        h.append("<text class=\"label\" text-anchor=\"middle\" transform=\"translate(16,").append((top + bottom) / 2)
                .append(") rotate(-90)\"");
        axisLabel(h, yLabel, bottom - top);
        h.append("</g>\n");
    }

    /** Average advance of a 12 px label character, generous (measured in Chromium: 36 characters of a real label fit 260 px). */
    private static final double LABEL_CHAR_PX = 6.6;

    /**
     * Closes the open {@code <text} with the label, shortened to fit {@code px} so it is not clipped by the
     * chart's edge: the front is cut and the parenthesised unit at the end kept. A shortened label keeps its
     * full text in {@code aria-label}.
     */
    private static void axisLabel(StringBuilder h, String label, int px) {
        String shown = fit(label == null ? "" : label, (int) (px / LABEL_CHAR_PX));
        if (!shown.equals(label)) h.append(" aria-label=\"").append(esc(label)).append('"');
        h.append('>').append(esc(shown)).append("</text>\n");
    }

    static String fit(String s, int max) {
        if (s.length() <= max) return s;
        int p = s.lastIndexOf(" (");
        if (p > 0 && s.endsWith(")") && s.length() - p <= max / 2) {
            String unit = s.substring(p);
            return s.substring(0, max - unit.length() - 1) + "\u2026" + unit;
        }
        return s.substring(0, max - 1) + "\u2026";
    }

    private static int legendRows(List<String> labels) {
        int rows = 1, x = ML;
        for (String l : labels) {
            int w = legendWidth(l);
            if (x + w > W - MR && x > ML) {
                rows++;
                x = ML;
            }
            x += w;
        }
        return labels.isEmpty() ? 0 : rows;
    }

    private static int legendWidth(String label) {
        return 34 + 7 * Math.min(label.length(), 60);
    }

    /** Legend across the top: a line swatch per series, a dashed swatch per reference line. */
    private static void legend(StringBuilder h, List<String> labels, int solid) {
        h.append("<g class=\"legend\">\n");
        int x = ML, row = 0;
        for (int i = 0; i < labels.size(); i++) {
            String l = labels.get(i);
            int w = legendWidth(l);
            if (x + w > W - MR && x > ML) {
                row++;
                x = ML;
            }
            int y = MT + row * 20 - 4;
            h.append("<line stroke=\"").append(PALETTE[i % PALETTE.length]).append("\" stroke-width=\"2.4\"")
                    .append(i >= solid ? " stroke-dasharray=\"6 4\"" : "").append(" x1=\"").append(x).append("\" x2=\"").append(x + 24)
                    .append("\" y1=\"").append(y).append("\" y2=\"").append(y).append("\"/><text class=\"legend-label\" x=\"")
                    .append(x + 30).append("\" y=\"").append(y + 4).append("\">").append(esc(shorten(l))).append("</text>\n");
            x += w;
        }
        h.append("</g>\n");
    }

    private static void legendBars(StringBuilder h, List<String> labels, int boxes) {
        h.append("<g class=\"legend\">\n");
        int x = ML, row = 0;
        for (int i = 0; i < labels.size(); i++) {
            String l = labels.get(i);
            int w = legendWidth(l);
            if (x + w > W - MR && x > ML) {
                row++;
                x = ML;
            }
            int y = MT + row * 20 - 4;
            if (i < boxes) {
                h.append("<rect fill=\"").append(PALETTE[i % PALETTE.length]).append("\" x=\"").append(x + 6).append("\" y=\"")
                        .append(y - 6).append("\" width=\"12\" height=\"12\"/>");
            } else {
                h.append("<line stroke=\"").append(PALETTE[i % PALETTE.length]).append("\" stroke-width=\"2.4\" stroke-dasharray=\"6 4\" x1=\"")
                        .append(x).append("\" x2=\"").append(x + 24).append("\" y1=\"").append(y).append("\" y2=\"").append(y).append("\"/>");
            }
            h.append("<text class=\"legend-label\" x=\"").append(x + 30).append("\" y=\"").append(y + 4).append("\">")
                    .append(esc(shorten(l))).append("</text>\n");
            x += w;
        }
        h.append("</g>\n");
    }

    private static String shorten(String s) {
        return s.length() <= 60 ? s : s.substring(0, 59) + "\u2026";
    }

    /** Finite runs of the series, each reduced to at most {@link #MAX_POINTS} points. */
    static List<double[][]> segments(ReportCharts.Series s) {
        double[] x = s.x(), y = s.y();
        List<double[][]> out = new ArrayList<>();
        int i = 0;
        while (i < x.length) {
            while (i < x.length && !(Double.isFinite(x[i]) && Double.isFinite(y[i]))) i++;
            int j = i;
            while (j < x.length && Double.isFinite(x[j]) && Double.isFinite(y[j])) j++;
            if (j > i) out.add(reduce(x, y, i, j));
            i = j;
        }
        return out;
    }

    /** Keeps the first minimum and maximum of each bucket, in x order, so spikes stay visible. */
    private static double[][] reduce(double[] x, double[] y, int from, int to) {
        int n = to - from;
        if (n <= MAX_POINTS) {
            return new double[][] {java.util.Arrays.copyOfRange(x, from, to), java.util.Arrays.copyOfRange(y, from, to)};
        }
        int buckets = MAX_POINTS / 2;
        double[] rx = new double[2 * buckets], ry = new double[2 * buckets];
        int k = 0;
        for (int b = 0; b < buckets; b++) {
            int lo = from + (int) ((long) n * b / buckets), hi = from + (int) ((long) n * (b + 1) / buckets);
            if (hi <= lo) continue;
            int mn = lo, mx = lo;
            for (int t = lo; t < hi; t++) {
                if (y[t] < y[mn]) mn = t;
                if (y[t] > y[mx]) mx = t;
            }
            int a = Math.min(mn, mx), c = Math.max(mn, mx);
            rx[k] = x[a];
            ry[k++] = y[a];
            if (c != a) {
                rx[k] = x[c];
                ry[k++] = y[c];
            }
        }
        return new double[][] {java.util.Arrays.copyOf(rx, k), java.util.Arrays.copyOf(ry, k)};
    }

    /** A linear axis with "nice" ticks (1, 2, 5 × 10^k) covering [lo, hi]. */
    private record Axis(double lo, double hi, double from, double to, double step, List<Double> ticks) {
        static Axis of(double lo, double hi, double from, double to, boolean pad) {
            if (lo == hi) {
                double d = lo == 0 ? 1 : Math.abs(lo) * 0.05;
                lo -= d;
                hi += d;
            } else if (pad) {
                double d = (hi - lo) * 0.04;
                lo -= d;
                hi += d;
            }
            double step = nice((hi - lo) / 6);
            double first = Math.ceil(lo / step - 1e-9) * step;
            List<Double> ticks = new ArrayList<>();
            for (double t = first; t <= hi + step * 1e-9 && ticks.size() < 20; t += step) ticks.add(Math.abs(t) < step * 1e-9 ? 0 : t);
            return new Axis(lo, hi, from, to, step, ticks);
        }

        double map(double v) {
            return from + (v - lo) / (hi - lo) * (to - from);
        }
    }

    private static double nice(double raw) {
        double e = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / e;
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * e;
    }

    private static String tick(double t, double step) {
        if (t == 0) return "0";
        double a = Math.abs(t);
        if (a >= 1e6 || a < 1e-3) return String.format(Locale.ROOT, "%.2g", t).replace("e-0", "e-").replace("e+0", "e").replace("e+", "e");
        int decimals = Math.max(0, (int) Math.ceil(-Math.log10(step) - 1e-9));
        return String.format(Locale.ROOT, "%." + decimals + "f", t);
    }

    private static String px(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    static String num(Double d) {
        if (d == null || d.isNaN()) return "";
        if (d.isInfinite()) return d > 0 ? "+\u221e" : "\u2212\u221e";
        double a = Math.abs(d);
        if (d == Math.rint(d) && a < 1e12) return Long.toString(d.longValue());
        if (a != 0 && (a < 1e-3 || a >= 1e6)) return String.format(Locale.ROOT, "%.3g", d);
        return String.format(Locale.ROOT, "%.4g", d);
    }

    /** Escapes text for HTML element content and quoted attribute values (also valid XML). */
    public static String esc(String s) {
        if (s == null) return "";
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> {
                    // Control characters are not allowed in XML 1.0 and mean nothing in a name: show them as U+FFFD.
                    if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') b.append('\uFFFD');
                    else b.append(c);
                }
            }
        }
        return b.toString();
    }

    private static String outcomeClass(Outcome o) {
        return switch (o) {
            case CONSISTENT -> "ok";
            case INCONCLUSIVE -> "unsure";
            default -> "bad";
        };
    }

    private static final String CSS = """
            body{margin:0;background:#f6f7f9;color:#1b1f24;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
            main{max-width:1120px;margin:0 auto;padding:20px 20px 40px;overflow-wrap:anywhere}
            header .tool{font-size:13px;color:#57606a;text-transform:uppercase;letter-spacing:.06em}
            header .subject{font:600 18px/1.3 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;word-break:break-all;margin:2px 0 14px}
            h2{font-size:17px;margin:26px 0 8px;padding-bottom:4px;border-bottom:1px solid #d0d7de}
            .verdict{border-radius:6px;padding:12px 16px;border-left:6px solid}
            .verdict p{margin:4px 0 0;font-size:15px}
            .verdict .outcome{font-weight:700;font-size:20px;letter-spacing:.02em}
            .verdict .exit{font-weight:400;font-size:13px;color:#57606a;margin-left:8px}
            .verdict.ok{background:#e6f4ea;border-color:#1a7f37}
            .verdict.bad{background:#fdecea;border-color:#cf222e}
            .verdict.unsure{background:#fff5d6;border-color:#bf8700}
            table{border-collapse:collapse;width:100%;background:#fff;font-size:13px}
            th,td{border:1px solid #d8dee4;padding:4px 7px;text-align:left;vertical-align:top}
            thead th{background:#eef1f4;font-weight:600}
            td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
            table.checks td:nth-child(2){min-width:150px}
            td.num.line{white-space:normal;min-width:7em}
            table.checks thead th{white-space:nowrap}
            .dir{display:block;font-size:11px;color:#57606a;white-space:nowrap}
            .rule{font-size:12px;color:#57606a;margin-bottom:2px}
            td.code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;white-space:nowrap}
            tr.fail td:first-child{color:#cf222e;font-weight:600}
            tr.warning td:first-child{color:#9a6700;font-weight:600}
            .mismatch{font-family:ui-monospace,monospace;font-size:12px;color:#57606a;word-break:break-all}
            .status{display:inline-block;padding:0 6px;border-radius:10px;font-size:12px;font-weight:600;white-space:nowrap}
            .s-pass{background:#dafbe1;color:#116329}
            .s-fail{background:#ffebe9;color:#a40e26}
            .s-inconclusive{background:#fff8c5;color:#7d4e00}
            .s-not_run{background:#eaeef2;color:#57606a}
            table.kv th{width:200px;background:#eef1f4;font-weight:600}
            table.kv td{font-family:ui-monospace,monospace;word-break:break-all}
            pre.claims{margin:0;white-space:pre-wrap;overflow-wrap:anywhere;max-height:24em;overflow-y:auto}
            figure.chart{margin:14px 0 18px;background:#fff;border:1px solid #d8dee4;border-radius:6px;padding:10px 10px 6px}
            figcaption{font-weight:600;margin-bottom:4px}
            svg.plot{display:block;max-width:100%;height:auto}
            svg .grid{stroke:#e5e8eb;stroke-width:1}
            svg .axis{stroke:#57606a;stroke-width:1}
            svg text{font-size:11px;fill:#424a53}
            svg text.label{font-size:12px;fill:#1b1f24}
            svg text.legend-label{font-size:12px;fill:#1b1f24}
            svg text.cat{font-size:10px}
            .note{color:#57606a;font-size:12px;margin:4px 2px}
            ul{margin:4px 0;padding-left:22px}
            li{margin:2px 0}
            footer{margin-top:30px;color:#8c959f;font-size:12px}
            .wide{overflow-x:auto}
            @media (max-width:720px){
            main{padding:12px 10px 30px}
            table.rows,table.rows tbody,table.rows tr,table.rows td{display:block;width:auto}
            table.rows thead{display:none}
            table.rows tr{border:1px solid #d8dee4;border-radius:4px;margin:0 0 8px}
            table.rows td{border:0;border-top:1px solid #eef1f4;text-align:left;white-space:normal;min-width:0}
            table.rows td:first-child{border-top:0}
            table.rows td:empty{display:none}
            table.rows td::before{content:attr(data-label);display:inline-block;min-width:6.5em;font-weight:600;color:#57606a;font-family:system-ui,sans-serif}
            table.checks td:nth-child(2){min-width:0}
            .dir{display:inline}
            table.kv th{width:32%}
            }
            """;
}
