package org.trainproof.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.trainproof.verdict.CheckResult;
import org.trainproof.verdict.CheckStatus;
import org.trainproof.verdict.Direction;
import org.trainproof.verdict.Finding;
import org.trainproof.verdict.Location;
import org.trainproof.verdict.Severity;

/**
 * L2 (soft): how fast the loss leaves ln V (verification-science.md §3 L2). A model that inherits a trained
 * body relearns in a few updates and reaches depths below ln V sooner than any from-scratch run.
 *
 * <p>For each calibrated depth D ({@link AnalysisConfig.L2}): the run's loss (train or val) first at or below
 * ln V − D at record step s means it got there within s updates — an upper bound, honest for every record
 * kind: a windowed mean ≤ T has a loss ≤ T inside its window, and formats whose step N holds the loss of
 * W_{N−1} only overstate. The depth is flagged when s &lt; fastest/3, the fastest calibrated from-scratch
 * time. It can only be tested when the log has a record before that line; a log whose first record comes
 * later (a windowed mean at step 500) holds no early curve, and the check says so (INCONCLUSIVE).
 *
 * <p>Soft: never FAIL, no p-value (10 calibration logs; better data, memorisable data, higher LR or a new
 * optimiser all change early speed, catalogue L2 failure modes). A flagged run is INCONCLUSIVE with a WARNING
 * naming it a derived-body candidate for the weight checks.
 */
public final class TimeToLossCheck implements ConsistencyCheck {
    @Override
    public String id() {
        return "L2";
    }

    @Override
    public String name() {
        return "early-curve speed (time to loss)";
    }

    /** A depth the run reached: where and in which series. */
    private record Reach(AnalysisConfig.L2.TimeToLoss threshold, double lossLine, long step, String metric, double value) {}

    @Override
    public CheckResult run(AnalysisInput in) {
        AnalysisConfig.L2 cfg = in.config().l2();
        if (in.claims().vocabSize().isEmpty()) return CheckResult.notRun(id(), name(), "missing claim: vocab_size");
        long v = in.claims().vocabSize().getAsLong();
        if (v < 2) return CheckResult.notRun(id(), name(), "vocab_size must be at least 2, got " + v);
        double lnV = Math.log(v);
        List<MetricSeries> series = new ArrayList<>();
        in.metric(MetricSeries.TRAIN_LOSS).filter(m -> m.size() > 0).ifPresent(series::add);
        in.metric(MetricSeries.VAL_LOSS).filter(m -> m.size() > 0).ifPresent(series::add);
        if (series.isEmpty()) return CheckResult.notRun(id(), name(), "no train/loss or val/loss records");
        if (series.stream().allMatch(MetricSeries::ordinalSteps)) {
            return CheckResult.inconclusive(id(), name(), "the loss records carry no training step (numbered by their order): updates to a loss unknown");
        }
        series.removeIf(MetricSeries::ordinalSteps);
        double unit = in.claims().lossUnits().map(u -> u.equalsIgnoreCase("bits")).orElse(false) ? Math.log(2) : 1.0;

        long first = Long.MAX_VALUE;
        for (MetricSeries s : series) {
            for (int i = 0; i < s.size(); i++) if (Double.isFinite(s.value(i))) first = Math.min(first, s.step(i));
        }
        if (first == Long.MAX_VALUE) return CheckResult.inconclusive(id(), name(), "no finite loss value");

        int tested = 0, applicable = 0;
        double lastLine = 0;
        Reach flagged = null;
        double minRatio = Double.POSITIVE_INFINITY;
        for (AnalysisConfig.L2.TimeToLoss t : cfg.thresholds()) {
            double lossLine = lnV - t.dropNats();
            if (!(lossLine > 0)) continue; // a loss cannot go there: this depth says nothing about this vocabulary
            double flagLine = t.fastestScratchUpdates() / cfg.speedFactor();
            applicable++;
            lastLine = Math.max(lastLine, flagLine);
            if (first < flagLine) tested++;
            Optional<Reach> r = reach(series, unit, t, lossLine);
            if (r.isEmpty()) continue;
            if (first < flagLine) minRatio = Math.min(minRatio, r.get().step() / (double) t.fastestScratchUpdates());
            // Report the deepest flagged depth: the strongest statement.
            if (r.get().step() < flagLine && (flagged == null || t.dropNats() > flagged.threshold().dropNats())) flagged = r.get();
        }
        if (flagged != null) {
            AnalysisConfig.L2.TimeToLoss t = flagged.threshold();
            double ratio = flagged.step() / (double) t.fastestScratchUpdates();
            String tokens = tokensAt(in, flagged.step());
            // At step 0 nothing has dropped yet: the run starts that deep (L1 judges the initial loss itself).
            String what = flagged.step() == 0 ? "starts deeper than any calibrated from-scratch run gets in its first updates (see L1)"
                    : "drops faster than any calibrated from-scratch run";
            Finding f = Finding.of(FindingCodes.L2_FASTER_THAN_SCRATCH, Severity.WARNING, String.format(
                    "%s %.4f at step %d%s is at or below ln V - %s = %.4f (V = %d) within %d update(s); the fastest calibrated"
                            + " from-scratch run needed %d (flag line 1/%s of that): %s: derived-body candidate, see W1/W2",
                    flagged.metric(), flagged.value(), flagged.step(), tokens, fmt(t.dropNats()), flagged.lossLine(), v,
                    flagged.step(), t.fastestScratchUpdates(), fmt(cfg.speedFactor()), what))
                    .at(Location.step(flagged.step())).withStatistic(ratio, 1 / cfg.speedFactor(), (long) tested);
            return new CheckResult(id(), name(), CheckStatus.INCONCLUSIVE, ratio, 1 / cfg.speedFactor(), (long) tested, null, ratio,
                    "reached ln V - " + fmt(t.dropNats()) + " within " + flagged.step() + " update(s), fastest from-scratch reference "
                            + t.fastestScratchUpdates() + " (soft: a derived-body candidate, not evidence by itself)", List.of(f))
                    .decidedBy("updates to a loss depth / fastest from-scratch (smallest)", Direction.WARNS_BELOW);
        }
        if (applicable == 0) {
            return CheckResult.inconclusive(id(), name(), String.format("ln V = %.4f is shallower than every calibrated depth", lnV));
        }
        if (tested == 0) {
            String why = "first loss record is at step " + first + ", after every flag line (the last is at " + fmt(lastLine)
                    + " updates): the early curve is not in the log";
            return new CheckResult(id(), name(), CheckStatus.INCONCLUSIVE, null, 1 / cfg.speedFactor(), 0L, null, null, why,
                    List.of(Finding.of(FindingCodes.L2_EARLY_CURVE_NOT_LOGGED, Severity.INFO, why).at(Location.step(first))));
        }
        Double stat = Double.isInfinite(minRatio) ? null : minRatio;
        return new CheckResult(id(), name(), CheckStatus.PASS, stat, 1 / cfg.speedFactor(), (long) tested, null, stat,
                "no calibrated depth below ln V reached in under 1/" + fmt(cfg.speedFactor()) + " of the fastest from-scratch time ("
                        + tested + " depths testable from step " + first + ")", List.of())
                .decidedBy("updates to a loss depth / fastest from-scratch (smallest)", Direction.WARNS_BELOW);
    }

    /** The record with the smallest step, over the series, whose loss is ≤ lossLine (steps may go backwards in a log). */
    private static Optional<Reach> reach(List<MetricSeries> series, double unit, AnalysisConfig.L2.TimeToLoss t, double lossLine) {
        Reach best = null;
        for (MetricSeries s : series) {
            for (int i = 0; i < s.size(); i++) {
                double x = s.value(i) * unit;
                if (Double.isFinite(x) && x <= lossLine && (best == null || s.step(i) < best.step())) {
                    best = new Reach(t, lossLine, s.step(i), s.metric(), x);
                }
            }
        }
        return Optional.ofNullable(best);
    }

    private static String tokensAt(AnalysisInput in, long step) {
        Optional<MetricSeries> tok = in.metric(MetricSeries.TOKENS);
        if (tok.isEmpty()) return "";
        MetricSeries s = tok.get();
        for (int i = 0; i < s.size(); i++) {
            if (s.step(i) == step && Double.isFinite(s.value(i))) return String.format(" (%.0f tokens)", s.value(i));
        }
        return "";
    }

    private static String fmt(double x) {
        return x == Math.rint(x) ? String.valueOf((long) x) : String.format("%.2f", x);
    }
}
