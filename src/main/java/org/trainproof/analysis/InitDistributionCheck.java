package org.trainproof.analysis;

import static org.trainproof.analysis.FindingCodes.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleUnaryOperator;
import org.trainproof.analysis.stats.InitDistributions;
import org.trainproof.analysis.stats.Kolmogorov;
import org.trainproof.analysis.stats.Normal;
import org.trainproof.analysis.stats.PValues;
import org.trainproof.checkpoint.TensorManifest;
import org.trainproof.checkpoint.TensorStats;
import org.trainproof.verdict.CheckResult;
import org.trainproof.verdict.CheckStatus;
import org.trainproof.verdict.Direction;
import org.trainproof.verdict.Finding;
import org.trainproof.verdict.Location;
import org.trainproof.verdict.Severity;

/**
 * W1: the step-0 checkpoint against the claimed init recipe (verification-science.md §3 W1).
 * Exact checks from the full-tensor stats (ones: min = max = 1; zeros: every element 0; bounded
 * distributions: min/max inside the bound). Distribution checks on the sampled values (with the
 * checkpoint files, a tensor of at most {@code AnalysisConfig.W1#wholeTensor} elements is read whole, so
 * its p-value does not depend on the auditor's seed): one-sample KS against the claimed CDF (normal,
 * truncated normal, uniform; the BF16-quantised CDF when stored as BF16), and the full-tensor std
 * against the distribution's std. p-values are Holm-adjusted across all
 * tests (valid under dependence, §4.3).
 *
 * <p>truncated_normal: {@code bound} is the absolute cut-off (PyTorch {@code trunc_normal_(a=-bound,
 * b=bound)}, OLMo-2 {@code init_cutoff_factor·std}); {@code truncation} (a multiple of std) is also
 * accepted; with neither, 2·std is assumed and said so.
 */
public final class InitDistributionCheck implements ConsistencyCheck {
    @Override
    public String id() {
        return "W1";
    }

    @Override
    public String name() {
        return "step-0 weights vs claimed init";
    }

    @Override
    public boolean pValueAgainstGenuineNull() {
        return true;
    }

    private record Test(String tensor, String code, double p, double stat, long n, String what, boolean alsoEffect) {}

    @Override
    public CheckResult run(AnalysisInput in) {
        AnalysisConfig.W1 cfg = in.config().w1();
        Trajectory tr = in.trajectory();
        if (in.claims().init().isEmpty()) return CheckResult.notRun(id(), name(), "missing claim: init");
        int i0 = tr.indexOf(0);
        if (i0 < 0) return CheckResult.notRun(id(), name(), "no checkpoint at step 0" + (tr.size() > 0 ? " (first is step " + tr.step(0) + ")" : ""));
        List<Finding> findings = new ArrayList<>();
        List<Test> tests = new ArrayList<>();
        int exactFails = 0, tested = 0;
        List<String> noRule = new ArrayList<>();
        for (TensorManifest t : tr.manifest(i0).tensors()) {
            var rule = in.claims().initFor(t.name());
            if (rule.isEmpty()) {
                noRule.add(t.name());
                continue;
            }
            String dist = rule.get().distribution().toLowerCase(Locale.ROOT);
            TensorStats st = t.stats();
            Location at = Location.step(0).withTensor(t.name());
            if (st == null) continue;
            tested++;
            if (st.nan() + st.posInf() + st.negInf() > 0) {
                findings.add(Finding.of(dist.equals("ones") ? W1_NOT_ONES : dist.equals("zeros") ? W1_NOT_ZEROS : W1_OUT_OF_BOUNDS,
                        Severity.FAIL, (st.nan() + st.posInf() + st.negInf()) + " non-finite values in an initial tensor").at(at));
                exactFails++;
                continue;
            }
            switch (dist) {
                case "ones": {
                    if (!(st.min() != null && st.min() == 1.0 && st.max() == 1.0)) {
                        long off = countNot(t, 1.0);
                        findings.add(Finding.of(W1_NOT_ONES, Severity.FAIL, String.format(
                                "claimed init ones, but values span [%s, %s]%s", st.min(), st.max(), off >= 0 ? " (" + off + " of " + st.count() + " differ from 1)" : ""))
                                .at(at).withStatistic(off >= 0 ? off : Double.NaN, 0.0, st.count()));
                        exactFails++;
                    }
                    break;
                }
                case "zeros": {
                    if (st.zeros() != st.count()) {
                        findings.add(Finding.of(W1_NOT_ZEROS, Severity.FAIL, String.format(
                                "claimed init zeros, but %d of %d elements are nonzero (range [%s, %s])", st.count() - st.zeros(), st.count(), st.min(), st.max()))
                                .at(at).withStatistic(st.count() - st.zeros(), 0.0, st.count()));
                        exactFails++;
                    }
                    break;
                }
                case "normal":
                case "truncated_normal":
                case "uniform": {
                    Double std = rule.get().std(), bound = rule.get().bound();
                    DoubleUnaryOperator cdf;
                    double expStd;
                    double limit = Double.POSITIVE_INFINITY;
                    double kurtosisTerm; // Var(s)/σ² ≈ kurtosisTerm / n
                    if (dist.equals("uniform")) {
                        if (bound == null) return CheckResult.notRun(id(), name(), "missing claim: init.bound for pattern " + rule.get().pattern());
                        cdf = InitDistributions.uniform(bound);
                        expStd = bound / Math.sqrt(3);
                        limit = bound;
                        kurtosisTerm = (1.8 - 1) / 4; // uniform kurtosis 1.8
                    } else {
                        if (std == null) return CheckResult.notRun(id(), name(), "missing claim: init.std for pattern " + rule.get().pattern());
                        if (dist.equals("normal")) {
                            cdf = InitDistributions.normal(std);
                            expStd = std;
                        } else {
                            double a = bound != null ? bound / std : rule.get().truncation() != null ? rule.get().truncation() : 2.0;
                            cdf = InitDistributions.truncatedNormal(std, a);
                            double z = 2 * Normal.cdf(a) - 1;
                            expStd = std * Math.sqrt(1 - 2 * a * Normal.pdf(a) / z);
                            limit = a * std;
                        }
                        kurtosisTerm = 0.5; // normal; truncation lowers kurtosis, so this is conservative
                    }
                    double ulpSlack = InitDistributions.ulp(limit, t.dtype() == null ? "F32" : t.dtype());
                    if (Double.isFinite(limit) && (st.min() < -limit - ulpSlack || st.max() > limit + ulpSlack)) {
                        findings.add(Finding.of(W1_OUT_OF_BOUNDS, Severity.FAIL, String.format(
                                "values span [%.4g, %.4g], outside the claimed %s support [-%.4g, %.4g]", st.min(), st.max(), dist, limit, limit))
                                .at(at).withStatistic(Math.max(-st.min(), st.max()), limit, st.count()));
                        exactFails++;
                    }
                    long count = tr.count(t.name());
                    double[] x = t.values() != null ? t.values().stream().mapToDouble(Double::doubleValue).toArray()
                            : tr.exact() && count <= cfg.wholeTensor() ? tr.exactValues(i0, t.name(), java.util.stream.LongStream.range(0, count).toArray())
                            : tr.exact() || t.sample() != null ? tr.sample(i0, t.name()) : null;
                    if (x != null && x.length >= cfg.minSample()) {
                        boolean bf16 = "BF16".equals(t.dtype());
                        double d = bf16 ? Kolmogorov.statisticDiscrete(x, InitDistributions.bf16Left(cdf), InitDistributions.bf16Right(cdf))
                                : Kolmogorov.statistic(x, cdf);
                        tests.add(new Test(t.name(), W1_KS_REJECTS_INIT, Kolmogorov.pValue(d, x.length), d, x.length,
                                "KS vs " + dist + (bf16 ? " (BF16-quantised CDF)" : ""), true));
                    }
                    if (st.std() != null && st.count() >= cfg.minSample()) {
                        double rel = st.std() / expStd - 1;
                        double z = rel / Math.sqrt(kurtosisTerm / st.count());
                        double p = Math.min(1.0, 2 * Normal.sf(Math.abs(z)));
                        tests.add(new Test(t.name(), W1_STD_MISMATCH, p, st.std() / expStd, st.count(),
                                String.format("std %.4g vs claimed %.4g", st.std(), expStd), Math.abs(rel) > cfg.stdRelTolerance()));
                    }
                    break;
                }
                default:
                    findings.add(Finding.of(W1_NO_RULE, Severity.INFO, "init distribution '" + dist + "' not supported; tensor not tested").at(at));
            }
        }
        if (!noRule.isEmpty()) {
            findings.add(Finding.of(W1_NO_RULE, Severity.INFO, noRule.size() + " tensors match no init pattern and were not tested: "
                    + String.join(", ", noRule.subList(0, Math.min(5, noRule.size()))) + (noRule.size() > 5 ? ", ..." : "")));
        }
        Double pMin = null, pDecide = null;
        int statFails = 0;
        if (!tests.isEmpty()) {
            double[] ps = tests.stream().mapToDouble(Test::p).toArray();
            double[] holm = PValues.holm(ps);
            pMin = 1.0;
            for (int j = 0; j < tests.size(); j++) {
                pMin = Math.min(pMin, holm[j]);
                Test te = tests.get(j);
                // A test can fail the check only with its effect (the std test: relative error above stdRelTolerance); the
                // statistic that decides is the smallest Holm-adjusted p among those (issue 13: never a PASS showing p < alpha).
                if (te.alsoEffect()) pDecide = Math.min(pDecide == null ? 1.0 : pDecide, holm[j]);
                if (holm[j] < cfg.alpha() && te.alsoEffect()) {
                    statFails++;
                    findings.add(Finding.of(te.code(), Severity.FAIL, String.format("%s rejects the claimed init: %s, Holm-adjusted p = %.3g over %d tests",
                            te.tensor(), te.what(), holm[j], tests.size())).at(Location.step(0).withTensor(te.tensor()))
                            .withStatistic(te.stat(), null, te.n()).withPValue(Math.max(PValues.FLOOR, holm[j])));
                }
            }
            pMin = Math.max(PValues.FLOOR, pMin);
            if (pDecide != null) pDecide = Math.max(PValues.FLOOR, pDecide);
        }
        if (tested == 0) return new CheckResult(id(), name(), CheckStatus.INCONCLUSIVE, null, cfg.alpha(), 0L, null, null,
                "no step-0 tensor matches a claimed init rule", findings);
        boolean fail = exactFails + statFails > 0;
        String detail = String.format("%d tensors tested at step 0 (%d exact failures, %d distribution tests, %d rejected at alpha = %s, Holm)",
                tested, exactFails, tests.size(), statFails, cfg.alpha());
        if (exactFails > 0 && statFails == 0) {
            // Decided by an exact rule (values outside the claimed support, a "zeros"/"ones" tensor that is not): the count.
            return new CheckResult(id(), name(), CheckStatus.FAIL, (double) exactFails, 0.0, (long) tested, pMin, null, detail, findings)
                    .decidedBy("tensors failing an exact init rule (support, zeros, ones)", Direction.FAILS_ABOVE);
        }
        if (pDecide == null) {
            // Only tests whose effect is within tolerance (or none): no statistical rule could fail; pass on the exact rules.
            // No p-value for the verdict's combination: none of these tests may decide (an over-sensitive std test of a large
            // tensor would otherwise accuse through the combination what W1 itself accepts)
            return new CheckResult(id(), name(), fail ? CheckStatus.FAIL : CheckStatus.PASS, (double) exactFails, 0.0, (long) tested, null, null,
                    detail + (pMin == null ? "" : String.format("; smallest Holm p %.3g, every such test within the effect tolerance", pMin)), findings)
                    .decidedBy("tensors failing an exact init rule (support, zeros, ones)", Direction.FAILS_ABOVE);
        }
        // the p-value the verdict combines is the deciding one, not the smallest of any test (same reason as above)
        return new CheckResult(id(), name(), fail ? CheckStatus.FAIL : CheckStatus.PASS, pDecide, cfg.alpha(), (long) tested, pDecide, null,
                detail + (pDecide.equals(pMin) ? "" : String.format("; smallest Holm p of any test %.3g (its effect within tolerance)", pMin)), findings)
                .decidedBy("Holm p of the step-0 init tests (smallest)", Direction.FAILS_BELOW);
    }

    private static long countNot(TensorManifest t, double v) {
        if (t.values() == null) return -1;
        return t.values().stream().filter(x -> x != v).count();
    }
}
