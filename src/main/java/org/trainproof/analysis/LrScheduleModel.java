package org.trainproof.analysis;

import java.util.Optional;

/**
 * The learning rate at step t implied by a claimed schedule (PyTorch/HF convention: the update that
 * produces step t+1 from step t uses η_t). Warmup: linear from 0 — η_t = peak·(t+1)/warmup for t &lt;
 * warmup (HF {@code get_linear_schedule_with_warmup} uses t/warmup; we use the larger (t+1)/warmup so
 * the bound errs towards allowing more movement). Then cosine from peak to min over the remaining
 * steps, linear to min, constant, or WSD (constant, then linear decay over the last 20 % — the
 * most common WSD split; an over-estimate of η elsewhere).
 */
public final class LrScheduleModel {
    private final RunClaims.LrSchedule s;

    private LrScheduleModel(RunClaims.LrSchedule s) {
        this.s = s;
    }

    /** Empty with the missing field named, or a model. */
    public static Result of(RunClaims claims) {
        Optional<RunClaims.LrSchedule> o = claims.lrSchedule();
        if (o.isEmpty()) return new Result(null, "lr_schedule");
        RunClaims.LrSchedule s = o.get();
        if (s.peakLr() == null) return new Result(null, "lr_schedule.peak_lr");
        String shape = s.shape() == null ? "constant" : s.shape();
        if (!shape.equals("constant") && s.totalSteps() == null) return new Result(null, "lr_schedule.total_steps");
        if (!java.util.Set.of("cosine", "linear", "constant", "wsd").contains(shape)) {
            return new Result(null, "lr_schedule.shape (unknown shape '" + shape + "')");
        }
        return new Result(new LrScheduleModel(s), null);
    }

    public record Result(LrScheduleModel model, String missing) {}

    public double peak() {
        return s.peakLr();
    }

    public double at(long t) {
        double peak = s.peakLr();
        double min = s.minLr() == null ? 0.0 : s.minLr();
        long warm = s.warmupSteps() == null ? 0 : s.warmupSteps();
        String shape = s.shape() == null ? "constant" : s.shape();
        if (t < warm) return peak * Math.min(1.0, (t + 1.0) / warm);
        if (shape.equals("constant")) return peak;
        long total = s.totalSteps();
        double frac = total <= warm ? 1.0 : Math.min(1.0, Math.max(0.0, (double) (t - warm) / (total - warm)));
        switch (shape) {
            case "cosine": return min + 0.5 * (peak - min) * (1 + Math.cos(Math.PI * frac));
            case "linear": return peak + (min - peak) * frac;
            case "wsd": {
                double decayStart = 0.8;
                return frac <= decayStart ? peak : peak + (min - peak) * (frac - decayStart) / (1 - decayStart);
            }
            default: return peak;
        }
    }

    /** Σ_{t=from}^{to−1} η_t: the learning rate summed over the updates from step {@code from} to {@code to}. */
    public double sum(long from, long to) {
        double acc = 0;
        for (long t = from; t < to; t++) acc += at(t);
        return acc;
    }

    /** Max η_t over [from, to). */
    public double max(long from, long to) {
        double m = 0;
        for (long t = from; t < to; t++) m = Math.max(m, at(t));
        return m;
    }
}
