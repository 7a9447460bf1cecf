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

    /**
     * Empty with the missing field named, or a model. Only {@code peak_lr} is required: when the shape,
     * {@code total_steps} or (for decaying shapes) {@code min_lr} is missing, the model is the constant
     * peak — an upper bound on every schedule with that peak, so bounds built on it can only loosen
     * (the result's {@code note} says so).
     */
    public static Result of(RunClaims claims) {
        Optional<RunClaims.LrSchedule> o = claims.lrSchedule();
        if (o.isEmpty()) return new Result(null, "lr_schedule", null);
        RunClaims.LrSchedule s = o.get();
        if (s.peakLr() == null) return new Result(null, "lr_schedule.peak_lr", null);
        if (!(s.peakLr() > 0) || (s.minLr() != null && s.minLr() < 0)) return new Result(null, "lr_schedule.peak_lr (must be positive)", null);
        String shape = s.shape() == null ? null : s.shape().toLowerCase(java.util.Locale.ROOT);
        String missing = shape == null ? "lr_schedule.shape"
                : !java.util.Set.of("cosine", "linear", "constant", "wsd").contains(shape) ? "lr_schedule.shape '" + shape + "' unknown"
                : !shape.equals("constant") && s.totalSteps() == null ? "lr_schedule.total_steps"
                : !shape.equals("constant") && s.minLr() == null ? "lr_schedule.min_lr" : null;
        if (missing != null) {
            return new Result(new LrScheduleModel(new RunClaims.LrSchedule("constant", s.peakLr(), null, 0L, null)), null,
                    missing + " not claimed: the constant peak " + s.peakLr() + " is used as an upper bound");
        }
        return new Result(new LrScheduleModel(new RunClaims.LrSchedule(shape, s.peakLr(), s.minLr(), s.warmupSteps(), s.totalSteps())), null, null);
    }

    /** {@code model} or the {@code missing} field; {@code note} when the model is a conservative stand-in. */
    public record Result(LrScheduleModel model, String missing, String note) {}

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
