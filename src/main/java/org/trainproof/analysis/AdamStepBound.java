package org.trainproof.analysis;

/**
 * The strict per-element worst case of Adam's normalised update |m̂_t/√v̂_t| (verification-science.md
 * §3 W3, derived there by Cauchy–Schwarz): with r = β1²/β2 &lt; 1,
 * B_t = √[(1−β1)²/(1−β2) · (1−r^t)/(1−r)] · √(1−β2^t)/(1−β1^t), B = lim B_t = (1−β1)/√((1−β2)(1−β1²/β2)).
 * B(0.9, 0.95) = 1.165, B(0.9, 0.999) = 7.27. ε &gt; 0 and gradient clipping only shrink the update.
 */
public final class AdamStepBound {
    private AdamStepBound() {}

    /** B_t for step t ≥ 1 (t = 1: exactly 1, the sign step). Requires β1² &lt; β2. */
    public static double bt(double b1, double b2, long t) {
        double r = b1 * b1 / b2;
        if (!(r < 1)) throw new IllegalArgumentException("Adam bound needs beta1^2 < beta2");
        double a = (1 - b1) * (1 - b1) / (1 - b2) * (1 - Math.pow(r, t)) / (1 - r);
        return Math.sqrt(a) * Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t));
    }

    /** The limit B. */
    public static double limit(double b1, double b2) {
        double r = b1 * b1 / b2;
        if (!(r < 1)) throw new IllegalArgumentException("Adam bound needs beta1^2 < beta2");
        return (1 - b1) / Math.sqrt((1 - b2) * (1 - r));
    }

    /**
     * sup_t B_t, the bound valid at any step (B_t is not monotone in general, so take the maximum over
     * t up to where both β^t terms are below 1e-12, together with the limit).
     */
    public static double sup(double b1, double b2) {
        double m = limit(b1, b2);
        long tMax = (long) Math.min(50_000_000L, Math.ceil(Math.log(1e-12) / Math.log(Math.max(b1, b2))) + 10);
        for (long t = 1; t <= tMax; t++) m = Math.max(m, bt(b1, b2, t));
        return m;
    }
}
