package org.trainproof.analysis;

import static org.trainproof.analysis.FindingCodes.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.trainproof.analysis.stats.InitDistributions;
import org.trainproof.verdict.CheckResult;
import org.trainproof.verdict.CheckStatus;
import org.trainproof.verdict.Direction;
import org.trainproof.verdict.Finding;
import org.trainproof.verdict.Location;
import org.trainproof.verdict.Severity;

/**
 * RESUME: Adam's first step from a fresh state is m̂/√v̂ = g/|g| = ±1, so every element with a gradient
 * moves by exactly η (plus the decoupled decay ηλθ) — verification-science.md §3 W3, "a first step after
 * a resume with update RMS ≈ 1·η everywhere indicates a reset optimiser state". On every pair of
 * checkpoints one step apart (a, a+1), the fraction of sampled elements with |Δθ + ηλθ_a| within
 * {@code relTol}·η (+ one storage ulp) of η is measured, η estimated as the median of |Δθ + ηλθ_a| — so
 * neither the schedule nor its step convention is needed, only the optimizer type. At a = 0 that is the expected fresh start
 * (reported as evidence); anywhere else it is an undeclared optimizer reset unless an event at step a
 * declares one. Adam/AdamW only. Needs checkpoints one step apart: with wider spacing the signature
 * fades within a few steps and the check is INCONCLUSIVE.
 */
public final class ResumeResetCheck implements ConsistencyCheck {
    @Override
    public String id() {
        return "RESUME";
    }

    /**
     * A one-step segment whose estimated η is below this many storage ulps of its moved elements is at the quantisation
     * floor and is not judged: the "≈ η" window (relTol·η + one ulp) then spans several quantisation levels and any
     * update, fresh or not, lands in it. Calibration: torch AdamW runs saved in BF16 every step (docs/calibration.md)
     * failed at η ≈ 1 ulp and at η ≈ 4 ulps (LR 1e-5, step 86->87: 51.5 % of 198 elements); at 20 ulps the window is at
     * most 6 % of η.
     */
    static final double QUANTISATION_ULPS = 20.0;

    @Override
    public String name() {
        return "optimizer state continuity";
    }

    @Override
    public CheckResult run(AnalysisInput in) {
        CheckResult r = check(in);
        List<Finding> claims = ResumeClaims.findings(in);
        if (claims.isEmpty()) return r;
        List<Finding> all = new ArrayList<>(claims);
        all.addAll(r.findings());
        return r.withFindings(all);
    }

    private CheckResult check(AnalysisInput in) {
        AnalysisConfig.Resume cfg = in.config().resume();
        Trajectory tr = in.trajectory();
        if (tr.size() < 2) return CheckResult.notRun(id(), name(), "needs at least two checkpoints");
        String opt = in.claims().optimizerName().map(x -> x.toLowerCase(Locale.ROOT)).orElse(null);
        if (opt == null) return CheckResult.notRun(id(), name(), "missing claim: optimizer.name");
        if (!opt.equals("adam") && !opt.equals("adamw")) return CheckResult.notRun(id(), name(), "fresh-state signature defined for Adam/AdamW only, not '" + opt + "'");
        // λ only shifts |Δθ| by ηλ|θ| (≈ 0.2 % of η for λ = 0.1, |θ| = 0.02); 0 when not claimed.
        double lambda = opt.equals("adamw") ? in.claims().weightDecay().orElse(0.0) : 0.0;
        List<Finding> findings = new ArrayList<>();
        int midRun = 0, flagged = 0, early = 0, quantised = 0;
        double worst = 0, worstDeclared = 0;
        // Genuine early steps also move every element by ≈ η: until m̂ averages several gradients (≈ 1/(1−β1)
        // steps), |m̂/√v̂| ≈ 1 wherever successive gradients agree in sign (torch AdamW, LR 1e-3, checkpoints every
        // step: 52 % of elements at step 1->2; docs/calibration.md). Those segments cannot show a restart.
        double beta1 = in.claims().betas().map(b -> b[0]).orElse(0.9);
        long horizon = (long) Math.ceil(1.0 / (1.0 - Math.min(beta1, 0.999)));
        for (int j = 0; j + 1 < tr.size(); j++) {
            long a = tr.step(j);
            if (tr.step(j + 1) != a + 1) continue;
            List<double[]> xs = new ArrayList<>(), ys = new ArrayList<>(), lams = new ArrayList<>();
            List<String> dts = new ArrayList<>();
            List<Double> mags = new ArrayList<>();
            for (String t : tr.tensors()) {
                double[] x = tr.sample(j, t), y = tr.sample(j + 1, t);
                xs.add(x);
                ys.add(y);
                lams.add(new double[] {in.claims().decays(t) ? lambda : 0});
                dts.add(tr.dtype(t));
                for (int i = 0; i < x.length; i++) if (moved(x[i], y[i], tr.dtype(t))) mags.add(Math.abs(y[i] - x[i]));
            }
            if (mags.isEmpty()) continue;
            // η is estimated from the data (median |Δθ|, refined once for decay), so schedule conventions do not matter.
            double eta = org.trainproof.analysis.stats.ChangePoint.median(mags.stream().mapToDouble(Double::doubleValue).toArray());
            if (!(eta > 0)) continue;
            List<Double> us = new ArrayList<>();
            for (int k = 0; k < xs.size(); k++) {
                double[] x = xs.get(k), y = ys.get(k);
                for (int i = 0; i < x.length; i++) if (moved(x[i], y[i], dts.get(k))) us.add(Math.abs(y[i] - x[i] + eta * lams.get(k)[0] * x[i]));
            }
            eta = org.trainproof.analysis.stats.ChangePoint.median(us.stream().mapToDouble(Double::doubleValue).toArray());
            // Quantisation floor: when η is within a few storage ulps, every moved element moves by one or two ulps
            // whatever the optimizer state (BF16 checkpoints saved every step: "the same |delta|" is one ulp), so the
            // segment cannot tell a fresh state from a continued one.
            List<Double> ulps = new ArrayList<>();
            for (int k = 0; k < xs.size(); k++) {
                double[] x = xs.get(k), y = ys.get(k);
                for (int i = 0; i < x.length; i++) if (moved(x[i], y[i], dts.get(k))) ulps.add(InitDistributions.ulp(Math.max(Math.abs(x[i]), Math.abs(y[i])), dts.get(k)));
            }
            double medianUlp = org.trainproof.analysis.stats.ChangePoint.median(ulps.stream().mapToDouble(Double::doubleValue).toArray());
            if (a > 0 && a < horizon) {
                early++;
                continue;
            }
            if (a > 0 && eta < QUANTISATION_ULPS * medianUlp) {
                quantised++;
                continue;
            }
            long n = 0, hits = 0;
            for (int k = 0; k < xs.size(); k++) {
                double[] x = xs.get(k), y = ys.get(k);
                for (int i = 0; i < x.length; i++) {
                    if (!moved(x[i], y[i], dts.get(k))) continue;
                    double u = Math.abs(y[i] - x[i] + eta * lams.get(k)[0] * x[i]);
                    double tol = cfg.relTol() * eta + InitDistributions.ulp(Math.max(Math.abs(x[i]), Math.abs(y[i])), dts.get(k));
                    n++;
                    if (Math.abs(u - eta) <= tol) hits++;
                }
            }
            if (n == 0) continue;
            double frac = (double) hits / n;
            Location at = Location.step(a + 1);
            if (a == 0) {
                findings.add(Finding.of(RESUME_FIRST_STEP_SIGN_UPDATE, Severity.INFO, String.format(
                        "step 0->1: %.1f%% of %d sampled elements moved by exactly eta (Adam's fresh-state sign step, as a run"
                                + " from scratch starts)", 100 * frac, n)).at(at).withStatistic(frac, cfg.fractionFail(), n));
                continue;
            }
            midRun++;
            boolean declared = in.events().stream().anyMatch(e -> e.step() == a && e.declaresOptimizerReset());
            // A declared reset is no evidence against the run: the statistic is the largest fraction over undeclared pairs
            // (issue 13: a PASS must not show a fraction at or above the line).
            if (declared) worstDeclared = Math.max(worstDeclared, frac);
            else worst = Math.max(worst, frac);
            if (frac >= cfg.fractionFail()) {
                if (declared) {
                    findings.add(Finding.of(RESUME_DECLARED_RESET, Severity.INFO, String.format(
                            "step %d->%d: fresh optimizer state (%.1f%% of elements moved by exactly eta), declared by an event",
                            a, a + 1, 100 * frac)).at(at).withStatistic(frac, cfg.fractionFail(), n));
                } else {
                    flagged++;
                    findings.add(Finding.of(RESUME_FRESH_OPTIMIZER_STATE, Severity.FAIL, String.format(
                            "step %d->%d: %.1f%% of %d sampled elements moved by the same |delta| = %.3g (eta): Adam restarted from a fresh state"
                                    + " here, but no event declares an optimizer reset (claimed seamless run)", a, a + 1, 100 * frac, n, eta))
                            .at(at).withStatistic(frac, cfg.fractionFail(), n));
                }
            }
        }
        if (midRun == 0) {
            return new CheckResult(id(), name(), CheckStatus.INCONCLUSIVE, null, cfg.fractionFail(), 0L, null, null,
                    "no pair of checkpoints one step apart after step 0 that can show a fresh state (the signature needs one; "
                            + early + " within the first " + horizon + " steps, " + quantised + " with eta below " + (int) QUANTISATION_ULPS
                            + " storage ulps)", findings);
        }
        return new CheckResult(id(), name(), flagged > 0 ? CheckStatus.FAIL : CheckStatus.PASS, worst, cfg.fractionFail(), (long) midRun, null, worst,
                String.format("%d one-step checkpoint pairs after step 0; largest fraction of elements moving by exactly eta %.3f"
                        + " where no event declares an optimizer reset (fails at or above %s)%s", midRun, worst, cfg.fractionFail(),
                        worstDeclared > 0 ? String.format("; %.3f at a declared reset", worstDeclared) : ""), findings)
                .decidedBy("largest fraction moving by exactly eta, undeclared 1-step pairs", Direction.FAILS_ABOVE);
    }

    /**
     * Elements that moved by more than one storage ulp. A fresh Adam state leaves elements without a
     * gradient (unused embedding rows) still (u = 0/ε = 0), so they carry no signature and are excluded.
     */
    private static boolean moved(double x, double y, String dtype) {
        return Double.isFinite(x) && Double.isFinite(y) && Math.abs(y - x) > InitDistributions.ulp(Math.max(Math.abs(x), Math.abs(y)), dtype);
    }
}
