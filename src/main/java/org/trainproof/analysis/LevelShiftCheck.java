package org.trainproof.analysis;

import java.util.ArrayList;
import java.util.List;
import org.trainproof.analysis.stats.ChangePoint;
import org.trainproof.verdict.CheckResult;
import org.trainproof.verdict.CheckStatus;
import org.trainproof.verdict.Direction;
import org.trainproof.verdict.Finding;
import org.trainproof.verdict.Location;
import org.trainproof.verdict.Severity;

/**
 * L3 (screen): level shifts in the training loss not explained by the logged LR schedule or a declared
 * event (verification-science.md §3 L3). For each index i the shift is median(next w) − median(previous w);
 * a smooth curve gives a smooth shift profile, so the statistic is the shift minus the median shift in
 * [i − 2w, i + 2w] (removes the local trend). A candidate is flagged when it exceeds 3× the robust
 * step-to-step σ (catalogue threshold) and no LR change &gt; 20 % between neighbouring records nor a
 * declared event lies within w records. The first quarter of the records and the first 2× the warm-up
 * steps are not scanned (early transient). Soft: a candidate never fails the run (data-mixture phases and
 * context extensions jump legitimately); it is reported as a splice candidate for W3/W4, and the check
 * is INCONCLUSIVE then. No p-value (the scan's null distribution is not calibrated).
 */
public final class LevelShiftCheck implements ConsistencyCheck {
    /** Largest series scanned point by point; longer logs are reduced to this many block medians. */
    static final int MAX_POINTS = 4000;

    public static final String L3_UNEXPLAINED_LEVEL_SHIFT = "L3_UNEXPLAINED_LEVEL_SHIFT";
    static final double SIGMAS = 3.0;

    @Override
    public String id() {
        return "L3";
    }

    @Override
    public String name() {
        return "loss level shifts vs LR schedule";
    }

    @Override
    public CheckResult run(AnalysisInput in) {
        var ls = in.metric(MetricSeries.TRAIN_LOSS);
        if (ls.isEmpty()) return CheckResult.notRun(id(), name(), "no train/loss series");
        MetricSeries s = ls.get();
        List<Long> st = new ArrayList<>();
        List<Double> v = new ArrayList<>();
        for (int i = 0; i < s.size(); i++) if (Double.isFinite(s.value(i))) {
            st.add(s.step(i));
            v.add(s.value(i));
        }
        // Long logs are scanned as block medians (at most MAX_POINTS blocks): the scan below costs
        // O(n · w log w) with w ∝ n, and a level shift worth reporting spans far more steps than a block.
        if (v.size() > MAX_POINTS) {
            int b = ChangePoint.blockSize(v.size(), MAX_POINTS);
            double[] medians = ChangePoint.blockMedians(v.stream().mapToDouble(Double::doubleValue).toArray(), b);
            List<Long> bst = new ArrayList<>();
            List<Double> bv = new ArrayList<>();
            for (int k = 0; k < medians.length; k++) {
                bst.add(st.get(k * b));
                bv.add(medians[k]);
            }
            st = bst;
            v = bv;
        }
        int n = v.size();
        // Window ≥ 10 records: the median-difference noise is then ≤ 0.56 σ, so 3 σ is ≥ 5 of its standard deviations.
        int w = Math.max(10, n / 50);
        // The early transient (steep drop, warm-up bumps; catalogue L1 (d), L4) is not scanned: skip the first
        // quarter of the records and everything up to the claimed warm-up end.
        long warm = in.claims().lrSchedule().map(l -> l.warmupSteps() == null ? 0L : l.warmupSteps()).orElse(0L);
        if (n < 8 * w) return CheckResult.inconclusive(id(), name(), "too few finite loss records (" + n + ") to scan for level shifts");
        double[] x = v.stream().mapToDouble(Double::doubleValue).toArray();
        double sigma = ChangePoint.diffSigma(x);
        if (!(sigma > 0)) return CheckResult.inconclusive(id(), name(), "loss has no step-to-step noise to scale shifts by");
        double[] shift = new double[n];
        for (int i = w; i <= n - w; i++) {
            shift[i] = ChangePoint.median(java.util.Arrays.copyOfRange(x, i, i + w)) - ChangePoint.median(java.util.Arrays.copyOfRange(x, i - w, i));
        }
        var lr = in.metric(MetricSeries.TRAIN_LR);
        List<Finding> findings = new ArrayList<>();
        double worst = 0, largestBelow = 0; // largestBelow: the largest scanned shift under the line (the PASS statistic)
        int i = Math.max(3 * w, n / 4);
        while (i < n && st.get(i) <= 2 * warm) i++;
        while (i <= n - 3 * w) {
            double local = ChangePoint.median(java.util.Arrays.copyOfRange(shift, i - 2 * w, i + 2 * w + 1));
            double stat = Math.abs(shift[i] - local) / sigma;
            if (stat > SIGMAS) {
                // Take the peak of this excursion.
                int best = i;
                double bestStat = stat;
                for (int j = i; j < Math.min(n - 3 * w, i + w); j++) {
                    double l2 = ChangePoint.median(java.util.Arrays.copyOfRange(shift, j - 2 * w, j + 2 * w + 1));
                    double s2 = Math.abs(shift[j] - l2) / sigma;
                    if (s2 > bestStat) {
                        bestStat = s2;
                        best = j;
                    }
                }
                long from = st.get(best - w), to = st.get(Math.min(n - 1, best + w - 1)), at = st.get(best);
                boolean explained = in.events().stream().anyMatch(e -> e.step() >= from && e.step() <= to)
                        || lr.map(l -> lrJump(l, from, to)).orElse(false);
                if (!explained) {
                    worst = Math.max(worst, bestStat);
                    findings.add(Finding.of(L3_UNEXPLAINED_LEVEL_SHIFT, Severity.WARNING, String.format(
                            "train/loss shifts by %+.4g (%.1f x the step-to-step sigma %.3g) at step %d with no LR change or declared event"
                                    + " nearby: a splice candidate (see W3/W4 around this step)", shift[best], bestStat, sigma, at))
                            .at(Location.step(at)).withStatistic(bestStat, SIGMAS, (long) (2 * w)));
                }
                i = best + 2 * w;
            } else {
                largestBelow = Math.max(largestBelow, stat);
                i++;
            }
        }
        if (!findings.isEmpty()) {
            return new CheckResult(id(), name(), CheckStatus.INCONCLUSIVE, worst, SIGMAS, (long) n, null, worst,
                    findings.size() + " unexplained level shift(s) in train/loss (soft: not evidence by itself)", findings)
                    .decidedBy("largest unexplained loss level shift (sigmas)", Direction.WARNS_ABOVE);
        }
        return new CheckResult(id(), name(), CheckStatus.PASS, largestBelow, SIGMAS, (long) n, null, null,
                "no level shift above " + SIGMAS + " sigma without an LR change or declared event (" + n + " records, window " + w
                        + "; largest scanned shift under the line " + String.format(java.util.Locale.ROOT, "%.2f", largestBelow) + " sigma)", findings)
                .decidedBy("largest unexplained loss level shift (sigmas)", Direction.WARNS_ABOVE);
    }

    private static boolean lrJump(MetricSeries lr, long from, long to) {
        double prev = Double.NaN;
        for (int i = 0; i < lr.size(); i++) {
            long s = lr.step(i);
            double v = lr.value(i);
            if (s >= from && s <= to && Double.isFinite(prev) && Double.isFinite(v) && prev > 0 && Math.abs(v / prev - 1) > 0.2) return true;
            if (s > to) break;
            prev = v;
        }
        return false;
    }
}
