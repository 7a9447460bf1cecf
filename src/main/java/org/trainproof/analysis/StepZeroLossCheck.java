package org.trainproof.analysis;

import static org.trainproof.analysis.FindingCodes.*;

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
 * L1: the loss of the initial weights must be ≈ ln V (+σ_z²/2), verification-science.md §3 L1.
 *
 * <p>Honest about what the first record is. A point value at step 0 is the loss of W₀: fail if below
 * ln V − 0.5. A point value at step s &gt; 0 is s updates later: the from-scratch lower bound becomes
 * ln V − 0.5 − s·maxDrop (a calibration, see {@link AnalysisConfig.L1}). A windowed average over w steps
 * that starts at the first update includes L(W₀) with weight 1/w; losses are ≥ 0, so L(W₀) ≤ w·mean —
 * a hard bound — and with the drop envelope mean ≥ L₀ − maxDrop·(w−1)/2. An unknown window is taken as
 * all s steps (the widest, least accusing choice). When no bound reaches, the check is INCONCLUSIVE
 * and says why.
 */
public final class StepZeroLossCheck implements ConsistencyCheck {
    @Override
    public String id() {
        return "L1";
    }

    @Override
    public String name() {
        return "step-0 loss vs ln V";
    }

    @Override
    public CheckResult run(AnalysisInput in) {
        AnalysisConfig.L1 cfg = in.config().l1();
        if (in.claims().vocabSize().isEmpty()) return CheckResult.notRun(id(), name(), "missing claim: vocab_size");
        long v = in.claims().vocabSize().getAsLong();
        if (v < 2) return CheckResult.notRun(id(), name(), "vocab_size must be at least 2, got " + v);
        double lnV = Math.log(v);
        Optional<MetricSeries> pick = choose(in);
        if (pick.isEmpty()) return CheckResult.notRun(id(), name(), "no train/loss or val/loss records");
        MetricSeries s = pick.get();
        if (s.ordinalSteps()) {
            // A log without a step column: its records are numbered 0, 1, ... by order, and the first may come after
            // an epoch of training (TinyStories custom-text log: one line per epoch). Reading record 0 as step 0
            // would accuse a from-scratch run.
            return new CheckResult(id(), name(), CheckStatus.INCONCLUSIVE, null, null, 0L, null, null,
                    s.metric() + " has no step column (records numbered by their order): the first record's training step is unknown,"
                            + " so it bounds no step-0 loss",
                    List.of(Finding.of(L1_STEP_UNKNOWN, Severity.WARNING, s.metric() + " records carry no training step; the log"
                            + " numbers them by order, so the first record is not known to be the step-0 loss")));
        }
        List<Finding> findings = new ArrayList<>();
        int i = 0;
        while (i < s.size() && !Double.isFinite(s.value(i))) {
            findings.add(Finding.of(L1_NON_FINITE_LOSS, Severity.WARNING, s.metric() + " is not finite; skipped")
                    .at(Location.step(s.step(i))));
            i++;
        }
        if (i == s.size()) return new CheckResult(id(), name(), CheckStatus.INCONCLUSIVE, null, null, 0L, null, null,
                "no finite loss value in " + s.metric(), findings);
        boolean bits = in.claims().lossUnits().map(u -> u.equalsIgnoreCase("bits")).orElse(false);
        double loss = bits ? s.value(i) * Math.log(2) : s.value(i);
        long step = s.step(i);
        boolean windowed = i == 0 && s.firstWindowed();
        String unitsNote = in.claims().lossUnits().isEmpty() ? " (loss_units not claimed; nats assumed)" : "";
        Location at = Location.step(step);
        double excess = loss - lnV;

        // Lower bound on L(W0) implied by the record, or NaN if the record bounds nothing.
        double l0UpperBound; // the largest L(W0) compatible with the record, from-scratch lower limit compared to it
        String how;
        if (!windowed) {
            l0UpperBound = loss + step * cfg.maxDropPerUpdate();
            how = step == 0 ? "loss of the initial weights" : "point loss " + step + " updates after init; drop envelope "
                    + cfg.maxDropPerUpdate() + " nats/update";
        } else {
            long w = s.windowSteps() > 0 ? s.windowSteps() : Math.max(1, step);
            boolean startsAtInit = s.windowSteps() <= 0 || step - w <= 0;
            if (s.windowSteps() <= 0 && step == 0) {
                // An average labelled step 0 with an unknown window (e.g. an epoch mean without steps): the number
                // of updates behind it is unknown, so it bounds nothing.
                l0UpperBound = Double.POSITIVE_INFINITY;
                how = "windowed average over an unknown number of steps, labelled step 0";
            } else if (!startsAtInit) {
                l0UpperBound = loss + (step - w) * cfg.maxDropPerUpdate() + cfg.maxDropPerUpdate() * (w - 1) / 2.0;
                how = "window of " + w + " steps starting " + (step - w) + " updates after init";
            } else {
                l0UpperBound = Math.min(w * loss, loss + cfg.maxDropPerUpdate() * (w - 1) / 2.0);
                how = "window of " + w + " steps from the first update (L0 <= min(w*mean, mean + drop*(w-1)/2))";
            }
            findings.add(Finding.of(L1_FIRST_RECORD_WINDOWED, Severity.INFO,
                    "first " + s.metric() + " record is a windowed average (" + how + "), not the step-0 loss")
                    .at(at).withStatistic(loss, null, w));
        }
        if (step != 0) {
            findings.add(Finding.of(L1_FIRST_STEP_NOT_ZERO, Severity.INFO,
                    "first logged " + s.metric() + " is at step " + step + ", not step 0").at(at));
        }
        double failLine = lnV - cfg.failBelowLnV();
        boolean atInit = step == 0 && !windowed;
        if (l0UpperBound < failLine) {
            findings.add(Finding.of(L1_STEP0_LOSS_BELOW_LN_V, Severity.FAIL,
                    String.format("%s %.4f at step %d bounds the initial loss by %.4f < ln V - %.1f = %.4f (V = %d; %s)%s: the"
                            + " model already predicted better than uniform", s.metric(), loss, step, l0UpperBound,
                            cfg.failBelowLnV(), failLine, v, how, unitsNote))
                    .at(at).withStatistic(l0UpperBound, failLine, 1L));
            return new CheckResult(id(), name(), CheckStatus.FAIL, l0UpperBound, failLine, 1L, null, excess,
                    "initial loss bound " + fmt(l0UpperBound) + " below ln V - " + cfg.failBelowLnV() + " = " + fmt(failLine), findings)
                    .decidedBy("largest step-0 loss the first record allows, vs ln V - " + cfg.failBelowLnV(), Direction.FAILS_BELOW);
        }
        if (atInit) {
            if (excess > cfg.anomalyAbove()) {
                findings.add(Finding.of(L1_STEP0_LOSS_ABOVE_LN_V, Severity.WARNING, String.format(
                        "step-0 loss %.4f is %.3f above ln V = %.4f: large initial logits (recipe anomaly, check W1), not evidence"
                                + " of derivation", loss, excess, lnV)).at(at).withStatistic(loss, lnV + cfg.anomalyAbove(), 1L));
            } else if (excess < -cfg.expectedBelow()) {
                findings.add(Finding.of(L1_STEP0_LOSS_SLIGHTLY_BELOW, Severity.WARNING, String.format(
                        "step-0 loss %.4f is %.3f below ln V = %.4f (genuine inits sit at >= ln V - %.1f)%s", loss, -excess,
                        lnV, cfg.expectedBelow(), unitsNote)).at(at).withStatistic(loss, lnV - cfg.expectedBelow(), 1L));
            } else {
                findings.add(Finding.of(L1_STEP0_LOSS_NEAR_LN_V, Severity.INFO, String.format(
                        "step-0 loss %.4f vs ln V = %.4f (excess %+.4f)%s", loss, lnV, excess, unitsNote)).at(at)
                        .withStatistic(loss, failLine, 1L));
            }
            return new CheckResult(id(), name(), CheckStatus.PASS, loss, failLine, 1L, null, excess,
                    "step-0 " + s.metric() + " " + fmt(loss) + " vs ln V " + fmt(lnV) + unitsNote, findings)
                    .decidedBy("largest step-0 loss the first record allows, vs ln V - " + cfg.failBelowLnV(), Direction.FAILS_BELOW);
        }
        // Not at init and the bound does not reach: say what we saw.
        if (excess < -cfg.failBelowLnV()) {
            findings.add(Finding.of(L1_FIRST_LOSS_FAR_BELOW_LN_V, Severity.WARNING, String.format(
                    "first logged %s %.4f at step %d is %.2f below ln V = %.4f, but %s: a from-scratch run could have"
                            + " dropped this far", s.metric(), loss, step, -excess, lnV, how)).at(at)
                    .withStatistic(loss, failLine, 1L));
        }
        return new CheckResult(id(), name(), CheckStatus.INCONCLUSIVE, l0UpperBound, failLine, 1L, null, excess,
                "first " + s.metric() + " record (step " + step + (windowed ? ", windowed" : "") + ") is not a step-0 loss and bounds"
                        + " the initial loss only by " + fmt(l0UpperBound) + " >= " + fmt(failLine), findings)
                .decidedBy("largest step-0 loss the first record allows, vs ln V - " + cfg.failBelowLnV(), Direction.FAILS_BELOW);
    }

    /** The series whose first record is earliest; val/loss wins a tie only when it is a point value and train/loss is not. */
    private static Optional<MetricSeries> choose(AnalysisInput in) {
        Optional<MetricSeries> tr = in.metric(MetricSeries.TRAIN_LOSS).filter(m -> m.size() > 0);
        Optional<MetricSeries> va = in.metric(MetricSeries.VAL_LOSS).filter(m -> m.size() > 0);
        if (tr.isEmpty()) return va;
        if (va.isEmpty()) return tr;
        MetricSeries t = tr.get(), w = va.get();
        if (w.step(0) < t.step(0)) return va;
        if (w.step(0) == t.step(0) && t.firstWindowed() && !w.firstWindowed()) return va;
        return tr;
    }

    static String fmt(double x) {
        return String.format("%.4f", x);
    }
}
