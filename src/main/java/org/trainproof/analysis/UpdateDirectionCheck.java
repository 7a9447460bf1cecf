package org.trainproof.analysis;

import static org.trainproof.analysis.FindingCodes.*;

import java.util.ArrayList;
import java.util.List;
import org.trainproof.analysis.stats.ChangePoint;
import org.trainproof.verdict.CheckResult;
import org.trainproof.verdict.CheckStatus;
import org.trainproof.verdict.Finding;
import org.trainproof.verdict.Location;
import org.trainproof.verdict.Severity;

/**
 * W7: consecutive update directions of a genuine trajectory decorrelate (gradient noise, curvature,
 * schedule); a straight-line fabrication (Fang et al. 2023's infinitesimal-update spoof, the fabricated
 * fixture) has cos(Δ_j, Δ_{j+m}) ≈ 1 at every lag (verification-science.md §3 W7). Δ_j is the change of
 * all sampled coordinates (every tensor, concatenated) between checkpoints j and j+1. Fails when the
 * median lag-1 cosine and, with enough segments, the median lag-2 cosine both exceed {@code cosFail}.
 */
public final class UpdateDirectionCheck implements ConsistencyCheck {
    @Override
    public String id() {
        return "W7";
    }

    @Override
    public String name() {
        return "update-direction decorrelation";
    }

    @Override
    public CheckResult run(AnalysisInput in) {
        AnalysisConfig.W7 cfg = in.config().w7();
        Trajectory tr = in.trajectory();
        int segs = tr.size() - 1;
        if (segs - 1 < cfg.minSegments()) {
            return CheckResult.notRun(id(), name(), "needs at least " + (cfg.minSegments() + 2) + " checkpoints, have " + tr.size());
        }
        List<double[]> deltas = new ArrayList<>();
        for (int j = 0; j < segs; j++) {
            List<double[]> parts = new ArrayList<>();
            int n = 0;
            for (String t : tr.tensors()) {
                double[] a = tr.sample(j, t), b = tr.sample(j + 1, t);
                double[] d = new double[a.length];
                for (int i = 0; i < a.length; i++) d[i] = Double.isFinite(a[i]) && Double.isFinite(b[i]) ? b[i] - a[i] : 0;
                parts.add(d);
                n += d.length;
            }
            double[] all = new double[n];
            int o = 0;
            for (double[] p : parts) {
                System.arraycopy(p, 0, all, o, p.length);
                o += p.length;
            }
            deltas.add(all);
        }
        double[] lag1 = cosines(deltas, 1), lag2 = cosines(deltas, 2);
        if (lag1.length < cfg.minSegments()) return CheckResult.inconclusive(id(), name(), "fewer than " + cfg.minSegments() + " measurable segment pairs");
        double m1 = ChangePoint.median(lag1);
        double m2 = lag2.length >= cfg.minSegments() ? ChangePoint.median(lag2) : Double.NaN;
        boolean fail = m1 > cfg.cosFail() && (Double.isNaN(m2) || m2 > cfg.cosFail());
        List<Finding> findings = new ArrayList<>();
        if (fail) {
            findings.add(Finding.of(W7_STRAIGHT_LINE_TRAJECTORY, Severity.FAIL, String.format(
                    "consecutive update directions are parallel: median cos = %.4f at lag 1 (%d pairs)%s; genuine training"
                            + " decorrelates — a straight-line (interpolated) trajectory", m1, lag1.length,
                    Double.isNaN(m2) ? "" : String.format(", %.4f at lag 2", m2)))
                    .at(Location.step(tr.step(tr.size() - 1))).withStatistic(m1, cfg.cosFail(), (long) lag1.length));
        }
        return new CheckResult(id(), name(), fail ? CheckStatus.FAIL : CheckStatus.PASS, m1, cfg.cosFail(), (long) lag1.length, null, m1,
                String.format("median cos of consecutive update directions %.4f (lag 2: %s) over %d pairs (%s)", m1,
                        Double.isNaN(m2) ? "n/a" : String.format("%.4f", m2), lag1.length, tr.source()), findings);
    }

    private static double[] cosines(List<double[]> d, int lag) {
        List<Double> out = new ArrayList<>();
        for (int j = 0; j + lag < d.size(); j++) {
            double ab = 0, aa = 0, bb = 0;
            double[] a = d.get(j), b = d.get(j + lag);
            for (int i = 0; i < a.length; i++) {
                ab += a[i] * b[i];
                aa += a[i] * a[i];
                bb += b[i] * b[i];
            }
            if (aa > 0 && bb > 0) out.add(ab / Math.sqrt(aa * bb));
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
