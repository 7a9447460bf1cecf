package org.trainproof.analysis.lineage;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.trainproof.verdict.ReportCharts;
import org.trainproof.verdict.ReportCharts.Bars;
import org.trainproof.verdict.ReportCharts.Chart;
import org.trainproof.verdict.ReportCharts.Reference;

/**
 * Chart data of a comparison: per norm-gain or bias vector, the raw cosine beside what it is
 * compared with (the moment-predicted cosine and the shuffled-cosine mean, its nulls) and the
 * centered r that is the evidence; and the hidden-layer excess cosines.
 */
public final class LineageCharts {
    /** Vectors drawn at most (the table in the JSON report has them all). */
    static final int MAX_BARS = 48;

    private LineageCharts() {}

    public static ReportCharts of(LineageComparison.Result r) {
        List<Chart> charts = new ArrayList<>();
        NormGainTest.Result n = r.norm();
        if (n != null && !n.vectors().isEmpty()) {
            List<Bars> bars = new ArrayList<>();
            for (NormGainTest.VectorComparison v : n.vectors()) {
                if (bars.size() == MAX_BARS) break;
                bars.add(new Bars(v.name(), new double[] {v.rawCosine(), v.predictedCosine(), v.shuffledCosineMean(), v.r()}));
            }
            String more = n.vectors().size() > MAX_BARS ? " First " + MAX_BARS + " of " + n.vectors().size() + " vectors drawn." : "";
            charts.add(Chart.bars("norm-gains", "Norm gains and biases (W8): raw cosine beside its nulls, and the centered r",
                    "cosine / correlation (unitless)", List.of("raw cosine (not evidence)", "moment-predicted cosine",
                            "shuffled cosine (mean)", "centered r (evidence)"),
                    bars, List.of(),
                    String.format(Locale.ROOT, "Raw cosine near the predicted and shuffled values says nothing: it follows from each"
                            + " vector's mean and spread. Evidence is the centered r: sum %.4f over %d vectors, shuffle p %s (T = %d).",
                            n.sumR(), n.tested(), LineageComparison.fmtP(n.p()), n.permutations()) + more));
        }
        if (!r.layers().isEmpty()) {
            List<Bars> bars = new ArrayList<>();
            for (HiddenLayerTest.Result l : r.layers()) {
                if (bars.size() == MAX_BARS) break;
                bars.add(new Bars(l.layer().label(), new double[] {l.permEffect(), l.rho()}));
            }
            charts.add(Chart.bars("hidden-layers", "Hidden layers (X1): excess cosine and matched-unit correlation",
                    "excess cosine / rho (unitless)", List.of("permutation excess cosine", "matching rho"), bars,
                    List.of(new Reference("excess cosine floor " + r.config().permEffectFloor(), r.config().permEffectFloor())),
                    "Excess cosine: mean cosine of units kept in place minus the permuted null; rho: correlation after re-matching units."));
        }
        return new ReportCharts(charts);
    }
}
