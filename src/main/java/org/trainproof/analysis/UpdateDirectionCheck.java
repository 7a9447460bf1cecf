package org.trainproof.analysis;

import static org.trainproof.analysis.FindingCodes.*;

import java.util.ArrayList;
import java.util.List;
import org.trainproof.analysis.stats.ChangePoint;
import org.trainproof.analysis.stats.InitDistributions;
import org.trainproof.verdict.CheckResult;
import org.trainproof.verdict.CheckStatus;
import org.trainproof.verdict.Direction;
import org.trainproof.verdict.Finding;
import org.trainproof.verdict.Location;
import org.trainproof.verdict.Severity;

/**
 * W7: consecutive update directions of a genuine trajectory decorrelate (gradient noise, curvature,
 * schedule); a straight-line fabrication (Fang et al. 2023's infinitesimal-update spoof, the fabricated
 * fixture) has cos(Δ_j, Δ_{j+m}) ≈ 1 at every lag (verification-science.md §3 W7). Δ_j is the change of
 * all sampled coordinates (every tensor, concatenated) between checkpoints j and j+1.
 *
 * <p>Alignment alone is not evidence: small LR, momentum and dense checkpoints make genuine successive updates
 * nearly parallel too (issue 13: honest cosines 0.97–0.998). What separates an interpolation is that nothing
 * but storage rounding moves it off its line. So the rule has two parts: the cosine gate (median lag-1 and,
 * with enough segments, lag-2 cosine above {@code cosFail}; below it the check PASSes on the cosine) and the
 * rounding-floor rule (median ρ below {@code floorRatioFail}, see {@link #floorRatios}). The result's statistic
 * and threshold are those of the part that decided.
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
        List<double[]> deltas = new ArrayList<>(), floors = new ArrayList<>();
        for (int j = 0; j < segs; j++) {
            int n = 0;
            for (String t : tr.tensors()) n += tr.sample(j, t).length;
            double[] all = new double[n], var = new double[n];
            int o = 0;
            for (String t : tr.tensors()) {
                double[] a = tr.sample(j, t), b = tr.sample(j + 1, t);
                String dt = tr.dtype(t) == null ? "F32" : tr.dtype(t);
                for (int i = 0; i < a.length; i++, o++) {
                    boolean ok = Double.isFinite(a[i]) && Double.isFinite(b[i]);
                    all[o] = ok ? b[i] - a[i] : 0;
                    // Storage rounding of each endpoint: uniform on ±ulp/2, variance ulp²/12 (round to nearest).
                    double ua = ok ? InitDistributions.ulp(a[i], dt) : 0, ub = ok ? InitDistributions.ulp(b[i], dt) : 0;
                    var[o] = (ua * ua + ub * ub) / 12;
                }
            }
            deltas.add(all);
            floors.add(var);
        }
        double[] lag1 = cosines(deltas, 1), lag2 = cosines(deltas, 2);
        if (lag1.length < cfg.minSegments()) return CheckResult.inconclusive(id(), name(), "fewer than " + cfg.minSegments() + " measurable segment pairs");
        double m1 = ChangePoint.median(lag1);
        double m2 = lag2.length >= cfg.minSegments() ? ChangePoint.median(lag2) : Double.NaN;
        boolean aligned = m1 > cfg.cosFail() && (Double.isNaN(m2) || m2 > cfg.cosFail());
        double[] rho = floorRatios(deltas, floors);
        double mr = rho.length == 0 ? Double.NaN : ChangePoint.median(rho);
        String cosText = String.format(java.util.Locale.ROOT, "median cos of consecutive update directions %.4f (lag 2: %s) over %d pairs",
                m1, Double.isNaN(m2) ? "n/a" : String.format(java.util.Locale.ROOT, "%.4f", m2), lag1.length);
        if (!aligned) {
            // The gate is closed when either median is at or below cosFail: the statistic that decided is the smaller of the
            // two (lag 2 can close a gate that lag 1 alone would have opened: honest lag-1 0.961 and 0.985 in issue 13).
            boolean byLag2 = !Double.isNaN(m2) && m2 < m1;
            double gate = byLag2 ? m2 : m1;
            return new CheckResult(id(), name(), CheckStatus.PASS, gate, cfg.cosFail(), (long) (byLag2 ? lag2.length : lag1.length), null, m1,
                    "decided by the cosine gate (" + (byLag2 ? "lag 2" : "lag 1") + "): " + cosText + "; gate closed at <= " + cfg.cosFail()
                            + " (" + tr.source() + ")", List.of())
                    .decidedBy("cosine gate: median update cosine, smaller of lag 1 and 2", Direction.FAILS_ABOVE);
        }
        if (Double.isNaN(mr)) {
            return CheckResult.inconclusive(id(), name(), cosText + " > " + cfg.cosFail() + ", but the deviation from a line could not be"
                    + " measured against the rounding floor (no sampled element with a known dtype)");
        }
        boolean fail = mr < cfg.floorRatioFail();
        List<Finding> findings = new ArrayList<>();
        String floorText = String.format(java.util.Locale.ROOT, "successive updates deviate from one line by %.3g x the storage-rounding floor"
                + " (median over %d pairs; threshold %.3g)", mr, rho.length, cfg.floorRatioFail());
        if (fail) {
            findings.add(Finding.of(W7_STRAIGHT_LINE_TRAJECTORY, Severity.FAIL, "consecutive update directions are parallel (" + cosText
                    + ") and " + floorText + ": only rounding separates the checkpoints from a straight line — an interpolated trajectory;"
                    + " genuine training adds gradient noise far above the floor")
                    .at(Location.step(tr.step(tr.size() - 1))).withStatistic(mr, cfg.floorRatioFail(), (long) rho.length));
        }
        return new CheckResult(id(), name(), fail ? CheckStatus.FAIL : CheckStatus.PASS, mr, cfg.floorRatioFail(), (long) rho.length, null, m1,
                "decided by the rounding-floor rule (fails below the threshold): " + floorText + "; cosine gate open: " + cosText
                        + " > " + cfg.cosFail() + " (" + tr.source() + ")", findings)
                .decidedBy("rho: deviation from a line / rounding floor (median)", Direction.FAILS_BELOW);
    }

    /**
     * Per consecutive pair (Δ_j, Δ_{j+1}): ρ = |e| / floor, e the part of Δ_{j+1} orthogonal to Δ_j, floor its expected
     * size if both were exactly parallel and only storage rounding (per-element variances {@code var}) separated them:
     * floor² = Σ var_{j+1} + (|Δ_{j+1}|/|Δ_j|)² Σ var_j (the second term: rounding tilts the reference direction).
     */
    static double[] floorRatios(List<double[]> d, List<double[]> var) {
        List<Double> out = new ArrayList<>();
        for (int j = 0; j + 1 < d.size(); j++) {
            double[] a = d.get(j), b = d.get(j + 1), va = var.get(j), vb = var.get(j + 1);
            double ab = 0, aa = 0, bb = 0, sa = 0, sb = 0;
            for (int i = 0; i < a.length; i++) {
                ab += a[i] * b[i];
                aa += a[i] * a[i];
                bb += b[i] * b[i];
                sa += va[i];
                sb += vb[i];
            }
            if (aa <= 0 || bb <= 0) continue;
            double e2 = Math.max(0, bb - ab * ab / aa);
            double f2 = sb + bb / aa * sa;
            if (f2 <= 0) continue;
            out.add(Math.sqrt(e2 / f2));
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
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
