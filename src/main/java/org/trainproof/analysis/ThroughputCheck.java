package org.trainproof.analysis;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.trainproof.analysis.stats.ChangePoint;
import org.trainproof.verdict.CheckResult;
import org.trainproof.verdict.CheckStatus;
import org.trainproof.verdict.Direction;
import org.trainproof.verdict.Finding;
import org.trainproof.verdict.Location;
import org.trainproof.verdict.Severity;

/**
 * C2 (screen): throughput stationarity (verification-science.md §3 C2: "tokens/s should be stable within
 * a phase (±10 %); abrupt persistent throughput changes imply a cluster/parallelism/precision change and
 * should coincide with a documented restart").
 *
 * <p>Seconds per step come from the first source the log has: a per-step time ({@code
 * train/step_time_ms}, {@code train/step_time_s}), the difference of a cumulative training time ({@code
 * train/time_ms}) or of the loss records' wall times, each divided by the steps between records. The
 * first {@link AnalysisConfig.C2#skipFraction()} of the records (at least 10 — compile and warm-up: the
 * modded-nanogpt timer covers its first 10 steps differently, catalogue L5) are not scanned. On ln(seconds
 * per step), a level shift at record i is median(next w) − median(previous w); a shift counts when it
 * exceeds ln(1 + {@link AnalysisConfig.C2#relShift()}) by {@link AnalysisConfig.C2#sigmas()} standard
 * deviations of a difference of two w-medians of the record-to-record noise. Medians make single slow
 * steps (checkpoint saves, evaluation pauses) invisible. A shift with a declared event within w records is
 * explained. Soft: an unexplained shift is a WARNING and the check INCONCLUSIVE, never a failure — genuine
 * runs change nodes, kernels and parallelism; the finding asks for the restart to be documented.
 */
public final class ThroughputCheck implements ConsistencyCheck {
    /** Longest series scanned point by point; longer ones are reduced to block medians. */
    static final int MAX_POINTS = 4000;

    @Override
    public String id() {
        return "C2";
    }

    @Override
    public String name() {
        return "throughput stationarity";
    }

    /** Seconds per step at steps, and where they came from. */
    record StepTimes(long[] steps, double[] secondsPerStep, String source) {}

    static StepTimes stepTimes(AnalysisInput in) {
        for (String[] direct : new String[][] {{"train/step_time_ms", "0.001"}, {"train/step_time_s", "1"}}) {
            var m = in.metric(direct[0]);
            if (m.isPresent() && m.get().size() > 0) {
                double scale = Double.parseDouble(direct[1]);
                if (cumulative(m.get())) {
                    // A "time" column that only grows is an elapsed time, whatever its name mapped to (JSONL logs
                    // often write cumulative seconds as "time"); ratios of its differences are what we need.
                    double[] t = new double[m.get().size()];
                    for (int i = 0; i < t.length; i++) t[i] = m.get().value(i) * scale;
                    return differences(m.get().steps(), t, "differences of " + direct[0] + " (it never decreases: an elapsed time,"
                            + " not a per-step one)");
                }
                List<Long> st = new ArrayList<>();
                List<Double> v = new ArrayList<>();
                for (int i = 0; i < m.get().size(); i++) {
                    double x = m.get().value(i) * scale;
                    if (Double.isFinite(x) && x > 0) {
                        st.add(m.get().step(i));
                        v.add(x);
                    }
                }
                return new StepTimes(st.stream().mapToLong(Long::longValue).toArray(), v.stream().mapToDouble(Double::doubleValue).toArray(),
                        direct[0]);
            }
        }
        var cum = in.metric("train/time_ms");
        if (cum.isPresent() && cum.get().size() > 1) {
            MetricSeries m = cum.get();
            double[] t = new double[m.size()];
            for (int i = 0; i < m.size(); i++) t[i] = m.value(i) / 1000.0;
            return differences(m.steps(), t, "differences of train/time_ms");
        }
        var loss = in.metric(MetricSeries.TRAIN_LOSS);
        if (loss.isPresent() && loss.get().hasWallTimes()) {
            MetricSeries m = loss.get();
            double[] t = new double[m.size()];
            for (int i = 0; i < m.size(); i++) t[i] = m.wallTime(i);
            return differences(m.steps(), t, "differences of the train/loss records' wall times");
        }
        return null;
    }

    /**
     * True when the series reads as a cumulative time: at least 20 finite values, at least 99 % of consecutive
     * pairs non-decreasing, and the last value more than 10× the first positive one. Per-step times
     * fluctuate both ways.
     */
    static boolean cumulative(MetricSeries m) {
        int n = 0, up = 0;
        double prev = Double.NaN, firstPos = Double.NaN, last = Double.NaN;
        for (int i = 0; i < m.size(); i++) {
            double v = m.value(i);
            if (!Double.isFinite(v)) continue;
            if (Double.isFinite(prev)) {
                n++;
                if (v >= prev) up++;
            }
            if (Double.isNaN(firstPos) && v > 0) firstPos = v;
            prev = v;
            last = v;
        }
        return n >= 19 && up >= 0.99 * n && last > 10 * firstPos;
    }

    private static StepTimes differences(long[] steps, double[] t, String source) {
        List<Long> st = new ArrayList<>();
        List<Double> v = new ArrayList<>();
        for (int i = 1; i < steps.length; i++) {
            long ds = steps[i] - steps[i - 1];
            double dt = t[i] - t[i - 1];
            // A non-positive interval (timer reset, clock going back) is L5's business; it is skipped here.
            if (ds > 0 && Double.isFinite(dt) && dt > 0) {
                st.add(steps[i]);
                v.add(dt / ds);
            }
        }
        return new StepTimes(st.stream().mapToLong(Long::longValue).toArray(), v.stream().mapToDouble(Double::doubleValue).toArray(), source);
    }

    @Override
    public CheckResult run(AnalysisInput in) {
        AnalysisConfig.C2 cfg = in.config().c2();
        StepTimes times = stepTimes(in);
        if (times == null) {
            return CheckResult.notRun(id(), name(), "no per-step time (train/step_time_ms, train/step_time_s), cumulative train/time_ms or"
                    + " wall times on train/loss");
        }
        int skip = Math.max(10, (int) Math.ceil(cfg.skipFraction() * times.steps().length));
        long[] st = times.steps();
        double[] x = new double[Math.max(0, st.length - skip)];
        long[] xs = new long[x.length];
        for (int i = skip; i < st.length; i++) {
            x[i - skip] = Math.log(times.secondsPerStep()[i]);
            xs[i - skip] = st[i];
        }
        if (x.length > MAX_POINTS) {
            int b = ChangePoint.blockSize(x.length, MAX_POINTS);
            x = ChangePoint.blockMedians(x, b);
            long[] bs = new long[x.length];
            for (int k = 0; k < bs.length; k++) bs[k] = xs[k * b];
            xs = bs;
        }
        int n = x.length;
        int w = Math.max(10, n / 50);
        if (n < 4 * w) return CheckResult.inconclusive(id(), name(), "too few timed records after the warm-up (" + n + ") from " + times.source());
        double sigma = ChangePoint.diffSigma(x);
        // Standard deviation of a difference of two medians of w values: √2 · 1.2533 σ/√w.
        double noise = Math.sqrt(2) * 1.2533 * sigma / Math.sqrt(w);
        double minShift = Math.log1p(cfg.relShift()) + cfg.sigmas() * noise;
        List<Finding> findings = new ArrayList<>();
        double worst = 0, largestBelow = 0; // largestBelow: the largest scanned |shift| under the line (the PASS statistic)
        int i = w;
        while (i <= n - w) {
            double shift = ChangePoint.median(Arrays.copyOfRange(x, i, i + w)) - ChangePoint.median(Arrays.copyOfRange(x, i - w, i));
            if (Math.abs(shift) > minShift) {
                int best = i;
                double bestShift = shift;
                for (int j = i + 1; j <= Math.min(n - w, i + w); j++) {
                    double s2 = ChangePoint.median(Arrays.copyOfRange(x, j, j + w)) - ChangePoint.median(Arrays.copyOfRange(x, j - w, j));
                    if (Math.abs(s2) > Math.abs(bestShift)) {
                        bestShift = s2;
                        best = j;
                    }
                }
                long from = xs[best - w], to = xs[Math.min(n - 1, best + w - 1)], at = xs[best];
                boolean explained = in.events().stream().anyMatch(e -> e.step() >= from && e.step() <= to);
                double ratio = Math.exp(bestShift);
                if (!explained) {
                    worst = Math.max(worst, Math.abs(bestShift));
                    findings.add(Finding.of(FindingCodes.C2_THROUGHPUT_SHIFT, Severity.WARNING, String.format(Locale.ROOT,
                                    "time per step changes by x%.3f at step %d and stays (median of %d records before vs after; from %s)"
                                            + " with no declared restart or config change nearby: a cluster, parallelism or precision change"
                                            + " should be documented", ratio, at, w, times.source()))
                            .at(Location.step(at)).withStatistic(ratio, 1 + cfg.relShift(), (long) (2 * w)));
                }
                i = best + w;
            } else {
                largestBelow = Math.max(largestBelow, Math.abs(shift));
                i++;
            }
        }
        String detail = String.format(Locale.ROOT, "%d timed records from %s (first %d skipped), window %d, level shifts over x%.3f counted",
                n, times.source(), skip, w, Math.exp(minShift));
        if (!findings.isEmpty()) {
            return new CheckResult(id(), name(), CheckStatus.INCONCLUSIVE, Math.exp(worst), Math.exp(minShift), (long) n, null, worst,
                    findings.size() + " unexplained persistent throughput change(s) (soft: not evidence by itself); " + detail, findings)
                    .decidedBy("largest unexplained change of time per step (ratio)", Direction.WARNS_ABOVE);
        }
        return new CheckResult(id(), name(), CheckStatus.PASS, Math.exp(largestBelow), Math.exp(minShift), (long) n, null, null,
                "time per step stationary: " + detail, List.of())
                .decidedBy("largest unexplained change of time per step (ratio)", Direction.WARNS_ABOVE);
    }
}
