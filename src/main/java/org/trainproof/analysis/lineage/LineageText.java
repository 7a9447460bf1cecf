package org.trainproof.analysis.lineage;

import java.io.PrintWriter;
import java.util.Locale;
import org.trainproof.verdict.TextReport;

/**
 * Terminal summary of a comparison: the norm-gain table (raw cosine printed only beside its
 * moment prediction and shuffle null, labelled not evidence; the centered r and its p-values), the
 * layer × layer summaries, the hidden-layer table, then the standard report.
 */
public final class LineageText {
    static final int MAX_ROWS = 40;

    private LineageText() {}

    public static void write(LineageComparison.Result r, PrintWriter out, boolean colour) {
        write(r, r.toReport(), out, colour);
    }

    /** As above, ending with {@code report} (the comparison's report as written: parameters, provenance). */
    public static void write(LineageComparison.Result r, org.trainproof.verdict.Report report, PrintWriter out, boolean colour) {
        out.println("compare  A = " + r.labelA());
        out.println("         B = " + r.labelB());
        NormGainTest.Result n = r.norm();
        if (n != null) {
            out.println();
            out.println("Norm gains and biases (W8). Raw cosine is NOT evidence: the moment formula predicts it from each");
            out.println("vector's mean and spread alone, and shuffling leaves it unchanged. Evidence is the centered r.");
            out.printf(Locale.ROOT, "  %-44s %6s %9s %9s %9s %9s %10s %10s%n", "tensor", "d", "raw cos*", "predicted",
                    "shuffled", "center r", "p(t)", "p(shuffle)");
            int shown = 0;
            for (NormGainTest.VectorComparison v : n.vectors()) {
                if (shown++ == MAX_ROWS) {
                    out.println("  ... " + (n.vectors().size() - MAX_ROWS) + " more (use --json for all)");
                    break;
                }
                out.printf(Locale.ROOT, "  %-44s %6d %9.4f %9.4f %9.4f %9s %10s %10s%n", clip(v.name(), 44), v.length(),
                        v.rawCosine(), v.predictedCosine(), v.shuffledCosineMean(),
                        v.constant() ? "const" : String.format(Locale.ROOT, "%.4f", v.r()),
                        LineageComparison.fmtP(v.pT()), LineageComparison.fmtP(v.pShuffle()));
            }
            out.println("  * raw cosine: not evidence.");
            for (NormGainTest.LayerMatrix m : n.matrices()) {
                out.printf(Locale.ROOT, "  layer x layer %s (%d layers): mean r matched %.4f, off-diagonal %.4f%n",
                        m.kind(), m.layers(), m.diagonalMean(), m.offDiagonalMean());
            }
            if (n.tested() > 0) {
                out.printf(Locale.ROOT, "  sum of r %.4f over %d vectors, shuffle p %s (T=%d)%n", n.sumR(), n.tested(),
                        LineageComparison.fmtP(n.p()), n.permutations());
            }
        }
        if (!r.layers().isEmpty()) {
            out.println();
            out.println("Hidden layers (X1): permutation test keeps units in place (exact p); matching test re-matches units");
            out.printf(Locale.ROOT, "  %-52s %11s %9s %10s %8s %7s %10s%n", "layer (X rows / Y columns)", "units",
                    "excess", "p(perm)", "rho", "agree", "p(match)");
            for (HiddenLayerTest.Result l : r.layers()) {
                out.printf(Locale.ROOT, "  %-52s %11s %9.4f %10s %8.4f %7.3f %10s%n", clip(l.layer().label(), 52),
                        l.sampledUnits() + "/" + l.unitsB(), l.permEffect(), LineageComparison.fmtP(l.permP()), l.rho(),
                        l.agreement(), LineageComparison.fmtP(l.matchP()));
            }
        }
        out.println();
        new TextReport(colour).write(report, out);
    }

    private static String clip(String s, int w) {
        return s.length() <= w ? s : "…" + s.substring(s.length() - w + 1);
    }
}
