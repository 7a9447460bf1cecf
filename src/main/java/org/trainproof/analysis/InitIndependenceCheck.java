package org.trainproof.analysis;

import static org.trainproof.analysis.FindingCodes.*;

import java.util.ArrayList;
import java.util.List;
import org.trainproof.analysis.stats.Correlation;
import org.trainproof.verdict.CheckResult;
import org.trainproof.verdict.CheckStatus;
import org.trainproof.verdict.Direction;
import org.trainproof.verdict.Finding;
import org.trainproof.verdict.Location;
import org.trainproof.verdict.Severity;

/**
 * W2: W₀ must not be constructed from W_T (verification-science.md §3 W2). Rank-matching attacks
 * (Zhang et al.; Fang et al. 2023) draw a genuine-looking init and arrange it in the rank order of the
 * stolen final weights, so Spearman ρ(W₀, W_T) = 1 on every tensor although the weights moved far. A
 * genuine run keeps ρ &lt; 1 once the init-independent part of the update is a visible fraction of the
 * init scale; tensors that barely moved (relative change below {@code minMove}) are not counted, since
 * they keep their ranks honestly. Compares the first checkpoint at step 0 with the last one, on the
 * same sampled positions.
 */
public final class InitIndependenceCheck implements ConsistencyCheck {
    @Override
    public String id() {
        return "W2";
    }

    @Override
    public String name() {
        return "W0 independent of W_T";
    }

    @Override
    public CheckResult run(AnalysisInput in) {
        AnalysisConfig.W2 cfg = in.config().w2();
        Trajectory tr = in.trajectory();
        int i0 = tr.indexOf(0);
        if (i0 < 0) return CheckResult.notRun(id(), name(), "no checkpoint at step 0");
        int iT = tr.size() - 1;
        if (iT <= i0) return CheckResult.notRun(id(), name(), "needs a checkpoint after step 0");
        List<Finding> findings = new ArrayList<>();
        int counted = 0, matched = 0;
        double maxRho = Double.NaN;
        List<Double> rhos = new ArrayList<>();
        for (String t : tr.tensors()) {
            double[] a = tr.sample(i0, t), b = tr.sample(iT, t);
            if (a.length < cfg.minSample()) continue;
            double rmsA = rms(a, null), move = rms(b, a) / rmsA;
            if (!(rmsA > 0) || !(move >= cfg.minMove())) continue;
            double rho = Correlation.spearman(a, b);
            if (Double.isNaN(rho)) continue;
            counted++;
            rhos.add(rho);
            maxRho = Double.isNaN(maxRho) ? rho : Math.max(maxRho, rho);
            if (rho >= cfg.rhoFail()) {
                matched++;
                findings.add(Finding.of(W2_RANK_MATCHED_INIT, Severity.WARNING, String.format(
                        "Spearman rho(W0, W_T) = %.5f at step %d although the tensor moved %.2fx its init RMS: ranks of the init"
                                + " match the final weights", rho, tr.step(iT), move))
                        .at(Location.step(tr.step(iT)).withTensor(t)).withStatistic(rho, cfg.rhoFail(), (long) a.length));
            }
        }
        if (counted == 0) return CheckResult.inconclusive(id(), name(), "no sampled tensor moved by at least " + cfg.minMove()
                + " of its init RMS between step 0 and step " + tr.step(iT));
        double frac = (double) matched / counted;
        double med = org.trainproof.analysis.stats.ChangePoint.median(rhos.stream().mapToDouble(Double::doubleValue).toArray());
        boolean fail = frac >= cfg.failFraction();
        if (fail) {
            findings = new ArrayList<>(findings.stream().map(f -> new Finding(f.code(), Severity.FAIL, f.message(), f.location(),
                    f.statistic(), f.threshold(), f.n(), f.pValue(), f.expected(), f.actual())).toList());
        }
        // The rule that decides is the fraction of rank-matched tensors (at or above failFraction fails); the median rho is
        // the effect size (issue 13: the statistic shown is the one that decided).
        return new CheckResult(id(), name(), fail ? CheckStatus.FAIL : CheckStatus.PASS, frac, cfg.failFraction(), (long) counted, null, med,
                String.format("%d of %d moved tensors have rho(W0, W_T) >= %s (fraction %.3f, fails at or above %s; median rho %.4f, step 0 vs %d)",
                        matched, counted, cfg.rhoFail(), frac, cfg.failFraction(), med, tr.step(iT)), findings)
                .decidedBy("fraction of moved tensors with rho(W0, W_T) >= " + cfg.rhoFail(), Direction.FAILS_ABOVE);
    }

    /** RMS of a (or of a − b when b is given). */
    static double rms(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = b == null ? a[i] : a[i] - b[i];
            s += d * d;
        }
        return Math.sqrt(s / a.length);
    }
}
