package org.trainproof.analysis;

import java.util.Arrays;
import java.util.Objects;

/**
 * One normalised metric over steps (names: {@value #TRAIN_LOSS}, {@value #VAL_LOSS}, {@value #TRAIN_LR},
 * {@value #GRAD_NORM}, {@value #TOKENS}), in step order as logged. {@code wallTimes} may be null or hold
 * NaN where a record has no time. Flags the log reader knows: {@code firstWindowed} — the first record
 * is an average over the steps since the previous log (HF Trainer, Lightning epoch means) rather than
 * the loss at that step; {@code windowSteps} — how many steps that window covers, 0 if unknown;
 * {@code ordinalSteps} — the log has no step column and the "steps" are record numbers (the training step
 * of each record is unknown).
 */
public final class MetricSeries {
    public static final String TRAIN_LOSS = "train/loss";
    public static final String VAL_LOSS = "val/loss";
    public static final String TRAIN_LR = "train/lr";
    public static final String GRAD_NORM = "train/grad_norm";
    public static final String TOKENS = "train/tokens";
    /**
     * Not a logged metric: trusted times (RFC 3161 / witness cosignature, POSIX seconds) of checkpoints
     * by step, verified by verify and added to its analysis input; only rows on the lower envelope
     * (a time no later than any larger checkpoint's), so a token fetched late never shortens a span.
     */
    public static final String TRUSTED_TIME = "trusted/time";

    private final String metric;
    private final long[] steps;
    private final double[] values;
    private final double[] wallTimes;
    private final boolean firstWindowed;
    private final long windowSteps;
    private final boolean ordinalSteps;

    public MetricSeries(String metric, long[] steps, double[] values, double[] wallTimes, boolean firstWindowed, long windowSteps) {
        this(metric, steps, values, wallTimes, firstWindowed, windowSteps, false);
    }

    public MetricSeries(String metric, long[] steps, double[] values, double[] wallTimes, boolean firstWindowed, long windowSteps,
            boolean ordinalSteps) {
        this.metric = Objects.requireNonNull(metric, "metric");
        if (steps.length != values.length || (wallTimes != null && wallTimes.length != steps.length)) {
            throw new IllegalArgumentException("steps, values and wall times must have equal lengths");
        }
        this.steps = steps.clone();
        this.values = values.clone();
        this.wallTimes = wallTimes == null ? null : wallTimes.clone();
        this.firstWindowed = firstWindowed;
        this.windowSteps = windowSteps;
        this.ordinalSteps = ordinalSteps;
    }

    public MetricSeries(String metric, long[] steps, double[] values) {
        this(metric, steps, values, null, false, 0);
    }

    public String metric() { return metric; }
    public int size() { return steps.length; }
    public long step(int i) { return steps[i]; }
    public double value(int i) { return values[i]; }
    /** Wall time of record i in seconds, NaN if unknown. */
    public double wallTime(int i) { return wallTimes == null ? Double.NaN : wallTimes[i]; }
    public boolean hasWallTimes() { return wallTimes != null; }
    public boolean firstWindowed() { return firstWindowed; }
    public long windowSteps() { return windowSteps; }
    /** True when the steps are record numbers, not training steps (the log has no step column). */
    public boolean ordinalSteps() { return ordinalSteps; }
    public long[] steps() { return steps.clone(); }
    public double[] values() { return values.clone(); }

    @Override
    public String toString() {
        return metric + "[" + steps.length + " records" + (steps.length > 0 ? ", steps " + steps[0] + ".." + steps[steps.length - 1] : "") + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MetricSeries m && m.metric.equals(metric) && Arrays.equals(m.steps, steps)
                && Arrays.equals(m.values, values) && Arrays.equals(m.wallTimes, wallTimes)
                && m.firstWindowed == firstWindowed && m.windowSteps == windowSteps && m.ordinalSteps == ordinalSteps;
    }

    @Override
    public int hashCode() {
        return Objects.hash(metric, Arrays.hashCode(steps), Arrays.hashCode(values));
    }
}
