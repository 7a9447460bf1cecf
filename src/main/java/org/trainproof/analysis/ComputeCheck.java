package org.trainproof.analysis;

import static org.trainproof.analysis.FindingCodes.*;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import org.trainproof.checkpoint.Dtype;
import org.trainproof.checkpoint.TensorManifest;
import org.trainproof.verdict.CheckResult;
import org.trainproof.verdict.CheckStatus;
import org.trainproof.verdict.Direction;
import org.trainproof.verdict.Finding;
import org.trainproof.verdict.Severity;

/**
 * C1: implied model-FLOPs utilisation MFU = 6·N·D / (n_accel · peak · T_wall) (Kaplan et al. 2020's
 * 6ND; verification-science.md §3 C1). MFU &gt; 1 is impossible (FAIL); &gt; 0.6 implausible for dense
 * training (warning); &lt; 0.05 suspicious under-use (warning). N: floating-point parameters of the last
 * checkpoint (dense; MoE active parameters are not known here, so MoE runs over-estimate N — say so).
 * D: claimed.tokens, else the last train/tokens record, else last step × batch_size × seq_len.
 * T: where verify verified trusted times (RFC 3161 tokens, witness cosignatures) for two steps a &lt; b, the
 * trusted span between them, with D over the same steps (steps × batch × seq, else D pro rata);
 * else claimed.wall_time_s, else the span of train/loss wall times. The detail names which.
 */
public final class ComputeCheck implements ConsistencyCheck {
    @Override
    public String id() {
        return "C1";
    }

    @Override
    public String name() {
        return "compute plausibility (6ND vs hardware x time)";
    }

    @Override
    public CheckResult run(AnalysisInput in) {
        AnalysisConfig.C1 cfg = in.config().c1();
        RunClaims c = in.claims();
        if (c.accelerator().isEmpty()) return CheckResult.notRun(id(), name(), "missing claim: hardware.accelerator");
        if (c.acceleratorCount().isEmpty()) return CheckResult.notRun(id(), name(), "missing claim: hardware.count");
        OptionalDouble peak = AcceleratorPeaks.peak(c.accelerator().get(), c.precision().orElse(null));
        if (peak.isEmpty()) {
            return new CheckResult(id(), name(), CheckStatus.NOT_RUN, null, null, null, null, null,
                    "no peak FLOP/s known for " + c.accelerator().get() + c.precision().map(p -> " at " + p).orElse(""),
                    List.of(Finding.of(C1_UNKNOWN_ACCELERATOR, Severity.INFO, "accelerator/precision not in the peak table: "
                            + c.accelerator().get() + c.precision().map(p -> " " + p).orElse(""))));
        }
        Trajectory tr = in.trajectory();
        if (tr.size() == 0) return CheckResult.notRun(id(), name(), "parameter count unknown (no checkpoint)");
        long nParams = 0;
        for (TensorManifest t : tr.manifest(tr.size() - 1).tensors()) {
            if (Dtype.parse(t.dtype()).map(Dtype::isFloat).orElse(false)) nParams += t.count();
        }
        double d;
        String dFrom;
        var tokens = in.metric(MetricSeries.TOKENS).filter(m -> m.size() > 0);
        var loss = in.metric(MetricSeries.TRAIN_LOSS).filter(m -> m.size() > 0);
        if (c.claimedTokens().isPresent()) {
            d = c.claimedTokens().getAsDouble();
            dFrom = "claimed.tokens";
        } else if (tokens.isPresent()) {
            d = tokens.get().value(tokens.get().size() - 1);
            dFrom = "last train/tokens";
        } else if (loss.isPresent() && !loss.get().ordinalSteps() && c.batchSize().isPresent() && c.seqLen().isPresent()) {
            d = (double) loss.get().step(loss.get().size() - 1) * c.batchSize().getAsLong() * c.seqLen().getAsLong();
            dFrom = "last step x batch_size x seq_len";
        } else {
            return CheckResult.notRun(id(), name(), "missing claim: claimed.tokens (and no train/tokens or batch_size/seq_len)");
        }
        double t;
        String tFrom;
        var trusted = in.metric(MetricSeries.TRUSTED_TIME).filter(m -> m.size() >= 2 && m.step(m.size() - 1) > m.step(0));
        if (trusted.isPresent() && (c.batchSize().isPresent() && c.seqLen().isPresent() || d > 0 && loss.isPresent())) {
            // Trusted span: the checkpoints of steps a and b existed by these (verified) times; D over the same steps.
            MetricSeries ts = trusted.get();
            long a = ts.step(0), b = ts.step(ts.size() - 1);
            t = ts.value(ts.size() - 1) - ts.value(0);
            if (c.batchSize().isPresent() && c.seqLen().isPresent()) {
                d = (double) (b - a) * c.batchSize().getAsLong() * c.seqLen().getAsLong();
                dFrom = "steps " + a + ".." + b + " x batch_size x seq_len";
            } else {
                long last = Math.max(b, loss.get().step(loss.get().size() - 1));
                d = d * (b - a) / last; // tokens per step assumed uniform over the run
                dFrom = dFrom + " x (" + b + " - " + a + ")/" + last + " steps";
            }
            tFrom = "trusted time span of steps " + a + ".." + b + " (RFC 3161 / witness), not self-reported wall times";
        } else if (c.claimedWallTimeSeconds().isPresent()) {
            t = c.claimedWallTimeSeconds().getAsDouble();
            tFrom = "claimed.wall_time_s";
        } else if (loss.isPresent() && loss.get().hasWallTimes()
                && Double.isFinite(loss.get().wallTime(0)) && Double.isFinite(loss.get().wallTime(loss.get().size() - 1))) {
            t = loss.get().wallTime(loss.get().size() - 1) - loss.get().wallTime(0);
            tFrom = "train/loss wall-time span";
        } else {
            return CheckResult.notRun(id(), name(), "missing claim: claimed.wall_time_s (and no logged wall times)");
        }
        if (!(t > 0) || !(d > 0)) return CheckResult.inconclusive(id(), name(), "non-positive tokens or wall time");
        long count = c.acceleratorCount().getAsLong();
        double mfu = 6.0 * nParams * d / (count * peak.getAsDouble() * t);
        List<Finding> findings = new ArrayList<>();
        String what = String.format("6 x %d params x %.4g tokens (%s) / (%d x %s peak %.4g FLOP/s x %.4g s (%s)) = MFU %.4g",
                nParams, d, dFrom, count, c.accelerator().get(), peak.getAsDouble(), t, tFrom, mfu);
        CheckStatus st = CheckStatus.PASS;
        if (mfu > cfg.mfuImpossible()) {
            st = CheckStatus.FAIL;
            findings.add(Finding.of(C1_MFU_IMPOSSIBLE, Severity.FAIL, what + ": more compute than the hardware can deliver")
                    .withStatistic(mfu, cfg.mfuImpossible(), 1L));
        } else if (mfu > cfg.mfuImplausible()) {
            findings.add(Finding.of(C1_MFU_IMPLAUSIBLE, Severity.WARNING, what + ": implausibly high for dense training")
                    .withStatistic(mfu, cfg.mfuImplausible(), 1L));
        } else if (mfu < cfg.mfuLow()) {
            findings.add(Finding.of(C1_MFU_LOW, Severity.WARNING, what + ": suspiciously low (tokens or hardware inflated?)")
                    .withStatistic(mfu, cfg.mfuLow(), 1L));
        }
        return new CheckResult(id(), name(), st, mfu, cfg.mfuImpossible(), 1L, null, mfu, what, findings)
                .decidedBy("implied MFU, 6ND / (peak FLOP/s x time)", Direction.FAILS_ABOVE);
    }
}
