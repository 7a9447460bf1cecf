package org.trainproof.analysis;

import static org.trainproof.analysis.FindingCodes.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.trainproof.analysis.stats.ChangePoint;
import org.trainproof.analysis.stats.InitDistributions;
import org.trainproof.verdict.CheckResult;
import org.trainproof.verdict.CheckStatus;
import org.trainproof.verdict.Direction;
import org.trainproof.verdict.Finding;
import org.trainproof.verdict.Location;
import org.trainproof.verdict.Severity;

/**
 * W3: between consecutive checkpoints at steps a &lt; b, every sampled element must satisfy
 * |θ_b − θ_a| ≤ S·B + λ·S·(|θ_a| + S·B) + ulps·ulp(max(|θ_a|, |θ_b|)) + (b − a)·ulp_F32 (the master weights' per-step
 * rounding, {@link #stepRounding}), S = Σ_{t=a}^{b−1} η_t from the
 * claimed schedule (verification-science.md §3 W3). The λ term bounds the decoupled decay with the
 * largest |θ| reachable inside the segment (|θ_s| ≤ |θ_a| + S·B). Adam (L2-coupled decay) has no λ term;
 * Lion has B = 1. SGD, Muon and unknown optimizers: NOT_RUN (no per-element bound). The same bound D on
 * every element also limits the full-tensor stats the ledger holds for every checkpoint: max, min and
 * mean move by at most D and the L2 norm by at most √n·D — checked on all elements, not only the sample.
 */
public final class AdamBoundCheck implements ConsistencyCheck {
    @Override
    public String id() {
        return "W3";
    }

    /**
     * Rounding of the F32 master weights accumulated over {@code steps} optimizer steps: each step rounds the decay
     * product and the update sum to F32 (≤ ½ ulp each, so ≤ 1 ulp of the largest |θ| reached, {@code mag}), and the
     * learning rate itself is an F32 (relative error ≤ 2⁻²⁴ of the bound {@code lim}). Invisible next to Adam's
     * bound, which honest runs rarely reach; Lion's |u| = 1 reaches it on every element whose update keeps its sign,
     * and without this term honest Lion runs in F32 exceeded the bound by up to 6.9 ulps over 10 steps (calibration grid,
     * docs/calibration.md).
     */
    static double stepRounding(long steps, double mag, double lim) {
        return steps * Math.ulp((float) mag) + lim * 0x1p-24;
    }

    @Override
    public String name() {
        return "per-element optimizer step bound";
    }

    @Override
    public CheckResult run(AnalysisInput in) {
        AnalysisConfig.W3 cfg = in.config().w3();
        Trajectory tr = in.trajectory();
        if (tr.size() < 2) return CheckResult.notRun(id(), name(), "needs at least two checkpoints, have " + tr.size());
        String opt = in.claims().optimizerName().map(x -> x.toLowerCase(Locale.ROOT)).orElse(null);
        if (opt == null) return CheckResult.notRun(id(), name(), "missing claim: optimizer.name");
        double bound;
        switch (opt) {
            case "adamw":
            case "adam": {
                if (in.claims().betas().isEmpty()) return CheckResult.notRun(id(), name(), "missing claim: optimizer.betas");
                double[] b = in.claims().betas().get();
                if (!(b[0] >= 0 && b[0] < 1 && b[1] > 0 && b[1] < 1 && b[0] * b[0] < b[1])) {
                    return CheckResult.notRun(id(), name(), "optimizer.betas " + Arrays.toString(b) + " outside the bound's domain (beta1^2 < beta2 < 1)");
                }
                bound = AdamStepBound.sup(b[0], b[1]);
                break;
            }
            case "lion":
                bound = 1.0;
                break;
            default:
                return CheckResult.notRun(id(), name(), "no per-element bound for optimizer '" + opt + "' (Adam, AdamW, Lion only)");
        }
        boolean decoupled = in.claims().decoupledDecay();
        double lambda = 0;
        if (decoupled) {
            if (in.claims().weightDecay().isEmpty()) return CheckResult.notRun(id(), name(), "missing claim: optimizer.weight_decay");
            lambda = in.claims().weightDecay().getAsDouble();
        }
        LrScheduleModel.Result lr = LrScheduleModel.of(in.claims());
        if (lr.model() == null) return CheckResult.notRun(id(), name(), "missing claim: " + lr.missing());
        LrScheduleModel sched = lr.model();
        if (tr.tensors().isEmpty()) return CheckResult.inconclusive(id(), name(), "no tensor sampled in every checkpoint");

        List<Finding> findings = new ArrayList<>();
        long checked = 0;
        double worst = 0;
        List<Double> normRms = new ArrayList<>();
        for (int j = 0; j + 1 < tr.size(); j++) {
            long a = tr.step(j), b = tr.step(j + 1);
            double sum = sched.sum(a, b);
            double sumSq = 0;
            long nSeg = 0;
            for (String t : tr.tensors()) {
                double lam = in.claims().decays(t) ? lambda : 0.0;
                String dtype = tr.dtype(t);
                double[] x = tr.sample(j, t), y = tr.sample(j + 1, t);
                int bad = 0;
                double tWorst = 0;
                int worstAt = -1;
                for (int i = 0; i < x.length; i++) {
                    if (!Double.isFinite(x[i]) || !Double.isFinite(y[i])) continue;
                    double d = Math.abs(y[i] - x[i]);
                    double lim = sum * bound + lam * sum * (Math.abs(x[i]) + sum * bound);
                    double tol = cfg.ulps() * InitDistributions.ulp(Math.max(Math.abs(x[i]), Math.abs(y[i])), dtype)
                            + stepRounding(b - a, Math.max(Math.abs(x[i]), Math.abs(y[i])) + sum * bound, lim);
                    double allowed = lim * (1 + cfg.relSlack()) + tol;
                    double ratio = allowed > 0 ? d / allowed : (d > 0 ? Double.POSITIVE_INFINITY : 0);
                    if (ratio > tWorst) {
                        tWorst = ratio;
                        worstAt = i;
                    }
                    if (d > allowed) bad++;
                    sumSq += d * d;
                    nSeg++;
                    checked++;
                }
                worst = Math.max(worst, tWorst);
                if (bad > 0) {
                    findings.add(Finding.of(W3_UPDATE_EXCEEDS_ADAM_BOUND, Severity.FAIL, String.format(
                            "%d of %d sampled elements moved more than the %s bound allows between steps %d and %d"
                                    + " (worst: |delta| = %.3g, %.1fx the bound; sum eta = %.3g, B = %.4f, lambda = %g)",
                            bad, x.length, opt, a, b, Math.abs(y[worstAt] - x[worstAt]), tWorst, sum, bound, lam))
                            .at(Location.step(b).withTensor(t)).withStatistic(tWorst, 1.0, (long) x.length));
                }
            }
            // Full-tensor consequences of the per-element bound, from the stats of every element (not just the
            // sample): max, min and mean move by at most D, the L2 norm by at most √n·D.
            for (String t : tr.tensors()) {
                var sa = tr.tensor(j, t).stats();
                var sb = tr.tensor(j + 1, t).stats();
                if (sa == null || sb == null || sa.max() == null || sb.max() == null || sa.finite() != sa.count() || sb.finite() != sb.count()) continue;
                double lam = in.claims().decays(t) ? lambda : 0.0;
                double ma = Math.max(Math.abs(sa.min()), Math.abs(sa.max())), mb = Math.max(Math.abs(sb.min()), Math.abs(sb.max()));
                double dEl = (sum * bound + lam * sum * (ma + sum * bound)) * (1 + cfg.relSlack())
                        + cfg.ulps() * InitDistributions.ulp(Math.max(ma, mb), tr.dtype(t))
                        + stepRounding(b - a, Math.max(ma, mb) + sum * bound, sum * bound + lam * sum * (ma + sum * bound));
                double[][] pairs = {{sa.max(), sb.max(), dEl}, {sa.min(), sb.min(), dEl}, {sa.mean(), sb.mean(), dEl},
                        {sa.l2(), sb.l2(), Math.sqrt((double) sa.count()) * dEl}};
                String[] what = {"max", "min", "mean", "L2 norm"};
                for (int q = 0; q < pairs.length; q++) {
                    double moved = Math.abs(pairs[q][1] - pairs[q][0]);
                    if (moved > pairs[q][2] * (1 + 1e-9)) {
                        worst = Math.max(worst, moved / pairs[q][2]);
                        findings.add(Finding.of(W3_UPDATE_EXCEEDS_ADAM_BOUND, Severity.FAIL, String.format(
                                "tensor %s changed by %.3g between steps %d and %d, %.1fx what the %s bound allows for any element"
                                        + " (full-tensor stats; sum eta = %.3g, B = %.4f)", what[q], moved, a, b, moved / pairs[q][2], opt, sum, bound))
                                .at(Location.step(b).withTensor(t)).withStatistic(moved / pairs[q][2], 1.0, sa.count()));
                        break;
                    }
                }
            }
            if (nSeg > 0 && sum > 0) normRms.add(Math.sqrt(sumSq / nSeg) / (sum / Math.sqrt(b - a)));
        }
        long failures = findings.size();
        if (!normRms.isEmpty()) {
            double med = ChangePoint.median(normRms.stream().mapToDouble(Double::doubleValue).toArray());
            if (normRms.size() >= 3 && med < cfg.tinyUpdateRms()) {
                findings.add(Finding.of(W3_UPDATES_TOO_SMALL, Severity.WARNING, String.format(
                        "median update RMS is %.3g x (mean eta x sqrt(k)) over %d segments: far smaller than Adam's typical"
                                + " 0.2-0.3 (an 'infinitesimal update' trajectory?)", med, normRms.size()))
                        .withStatistic(med, cfg.tinyUpdateRms(), (long) normRms.size()));
            }
        }
        String detail = String.format("%d element-steps checked on %d segments (%s); B = %.4f, worst |delta|/allowed = %.3g%s",
                checked, tr.size() - 1, tr.source(), bound, worst, lr.note() == null ? "" : "; " + lr.note());
        String rule = "largest update / optimizer step bound (abs)";
        if (checked == 0) return new CheckResult(id(), name(), CheckStatus.INCONCLUSIVE, null, 1.0, 0L, null, null, "no finite sampled elements", findings)
                .decidedBy(rule, Direction.FAILS_ABOVE);
        return new CheckResult(id(), name(), failures > 0 ? CheckStatus.FAIL : CheckStatus.PASS, worst, 1.0, checked, null, worst, detail, findings)
                .decidedBy(rule, Direction.FAILS_ABOVE);
    }
}
