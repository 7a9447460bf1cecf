package org.trainproof.verdict;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * Renders a {@link Report} for a person: the verdict line ({@link Headline}, at most 160 characters) and
 * the full statement below it, then failures (most severe first,
 * each with its location and the number that failed against its threshold), then a table of all
 * checks, then what was not checked and why. ANSI colour only when asked (on a terminal).
 */
public final class TextReport {
    private final boolean colour;

    public TextReport(boolean colour) {
        this.colour = colour;
    }

    private String paint(String s, String code) {
        return colour ? "\u001b[" + code + "m" + s + "\u001b[0m" : s;
    }

    public void verdictLine(Report r, PrintWriter out) {
        String c = switch (r.outcome()) {
            case CONSISTENT -> "32;1";
            case INCONCLUSIVE -> "33;1";
            default -> "31;1";
        };
        out.println(paint(Headline.of(r), c));
        if (r.statement() != null && !r.statement().equals(Headline.of(r))) out.println("  " + r.statement());
    }

    public void write(Report r, PrintWriter out) {
        verdictLine(r, out);
        List<Finding> problems = r.findings().stream().filter(f -> f.severity() != Severity.INFO).toList();
        if (!problems.isEmpty()) {
            out.println();
            out.println(problems.size() == 1 ? "Finding:" : "Findings (" + problems.size() + ", most severe first):");
            int shown = 0;
            for (Finding f : problems) {
                if (shown++ == 50) {
                    out.println("  ... " + (problems.size() - 50) + " more (use --json for all)");
                    break;
                }
                out.println("  " + paint(f.severity().name(), f.severity() == Severity.FAIL ? "31" : "33")
                        + " " + f.code() + " at " + f.location() + ": " + f.message() + numbers(f));
            }
        }
        if (!r.checks().isEmpty()) {
            out.println();
            out.println("Checks:");
            out.printf(Locale.ROOT, "  %-12s %-13s %-12s %-26s %-8s %s%n", "check", "status", "statistic", "threshold", "n", "what");
            for (CheckResult c : r.checks()) {
                out.printf(Locale.ROOT, "  %-12s %-13s %-12s %-26s %-8s %s%n", c.id(), c.status(), num(c.statistic()),
                        line(c), c.n() == null ? "-" : c.n().toString(),
                        c.name() + (c.rule() == null ? "" : " [statistic: " + c.rule() + "]") + (c.detail() == null ? "" : " — " + c.detail()));
            }
        }
        if (!r.notChecked().isEmpty()) {
            out.println();
            out.println("Not checked:");
            for (String s : r.notChecked()) out.println("  - " + s);
        }
        if (!r.parameters().isEmpty()) {
            out.println();
            r.parameters().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
                    .forEach(e -> out.println(e.getKey() + ": " + e.getValue()));
        }
        provenance(r, out);
    }

    /**
     * What makes the terminal report stand alone, as the JSON and HTML do (issue 18): the tool and its
     * build, when (UTC), the command line, the ledger (origin, size, root), and the run's claims as one
     * line of JSON. Nothing when the report has no provenance (a report not yet stamped).
     */
    public void provenance(Report r, PrintWriter out) {
        Provenance p = r.provenance();
        if (p == null) return;
        out.println();
        out.println("report: " + p.tool() + " " + p.toolVersion() + (p.build() == null ? "" : " (built " + p.build() + ")")
                + ", created " + p.created() + " (UTC)");
        out.println("command line: " + (p.commandLine().isEmpty() ? "(library call)" : String.join(" ", p.commandLine())));
        java.util.Map<String, Object> i = r.integrity();
        if (i != null && i.get("ledger") != null) {
            out.println("ledger: " + i.get("ledger") + ", origin " + i.get("origin") + ", " + i.get("entries") + " entries, root "
                    + (i.get("root") == null ? "unknown" : i.get("root")));
        } else if (r.parameters().keySet().stream().noneMatch(k -> k.startsWith("ledger"))) {
            out.println("ledger: none (the report is about the files given; nothing ties them to a signed record)");
        }
        if (p.claims() == null) out.println("claims: " + p.claimsSource());
        else out.println("claims (" + p.claimsSource() + "): " + p.claims());
    }

    private static String numbers(Finding f) {
        StringBuilder sb = new StringBuilder();
        if (f.statistic() != null) {
            sb.append(" [").append(num(f.statistic()));
            if (f.threshold() != null) sb.append(" vs threshold ").append(num(f.threshold()));
            if (f.n() != null) sb.append(", n=").append(f.n());
            if (f.pValue() != null) sb.append(", p=").append(num(f.pValue()));
            sb.append(']');
        }
        if (f.expected() != null || f.actual() != null) {
            sb.append(" [expected ").append(f.expected()).append(", found ").append(f.actual()).append(']');
        }
        return sb.toString();
    }

    /**
     * The threshold with the side that counts against the run: "fails above 1", "fails below 0.001", "warns above 3, soft";
     * the bare threshold when the result names no direction, "-" when there is none.
     */
    static String line(CheckResult c) {
        if (c.threshold() == null) return "-";
        if (c.direction() == null || c.direction() == Direction.NONE) return num(c.threshold());
        return c.direction().phrase(num(c.threshold()));
    }

    static String num(Double d) {
        if (d == null) return "-";
        double a = Math.abs(d);
        if (a != 0 && (a < 1e-3 || a >= 1e6)) return String.format(Locale.ROOT, "%.3g", d);
        return String.format(Locale.ROOT, "%.4g", d);
    }
}
