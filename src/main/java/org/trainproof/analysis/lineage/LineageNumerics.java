package org.trainproof.analysis.lineage;

/**
 * Small pure numerics for the lineage tests (JDK only): moments, cosine, Pearson, Spearman with
 * average ranks, Student-t tail via the regularised incomplete beta, chi-square upper tail for even
 * degrees of freedom, Fisher's combination and permutation p-values. Kept here so the lineage
 * package stands alone; a general {@code analysis.stats} package may absorb these later.
 */
public final class LineageNumerics {
    /** Smallest p-value carried through a combination; smaller values are reported as "< 1e-300". */
    public static final double P_FLOOR = 1e-300;

    private LineageNumerics() {}

    public static double mean(double[] x) {
        double s = 0;
        for (double v : x) s += v;
        return s / x.length;
    }

    /** Population standard deviation (divide by n), as in the moment formula of catalogue §1.1. */
    public static double std(double[] x) {
        double m = mean(x), s = 0;
        for (double v : x) s += (v - m) * (v - m);
        return Math.sqrt(s / x.length);
    }

    /** Cosine of the angle between {@code a} and {@code b}; NaN when either is the zero vector. */
    public static double cosine(double[] a, double[] b) {
        requireSameLength(a, b);
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += a[i] * b[i];
            aa += a[i] * a[i];
            bb += b[i] * b[i];
        }
        return aa == 0 || bb == 0 ? Double.NaN : ab / Math.sqrt(aa * bb);
    }

    /** Cosine of {@code a} with {@code b} read through {@code perm} (b[perm[i]]). */
    public static double cosine(double[] a, double[] b, int[] perm) {
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.length; i++) {
            double y = b[perm[i]];
            ab += a[i] * y;
            aa += a[i] * a[i];
            bb += y * y;
        }
        return aa == 0 || bb == 0 ? Double.NaN : ab / Math.sqrt(aa * bb);
    }

    /**
     * Large-d limit of the cosine of two vectors with i.i.d. entries (catalogue §1.1, W8):
     * cos0 = μaμb / √((μa²+σa²)(μb²+σb²)). It needs no correspondence between the entries at all.
     */
    public static double momentPredictedCosine(double meanA, double stdA, double meanB, double stdB) {
        return meanA * meanB / Math.sqrt((meanA * meanA + stdA * stdA) * (meanB * meanB + stdB * stdB));
    }

    /** Pearson correlation (the centered cosine); NaN when either vector is constant. */
    public static double pearson(double[] a, double[] b) {
        requireSameLength(a, b);
        double ma = mean(a), mb = mean(b), ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.length; i++) {
            double x = a[i] - ma, y = b[i] - mb;
            ab += x * y;
            aa += x * x;
            bb += y * y;
        }
        return aa == 0 || bb == 0 ? Double.NaN : ab / Math.sqrt(aa * bb);
    }

    /** Ranks 1..n with ties given their average rank (the one implementation, in analysis.stats). */
    public static double[] ranks(double[] x) {
        return org.trainproof.analysis.stats.Correlation.ranks(x);
    }

    /** Spearman rank correlation: Pearson of average ranks (handles ties). */
    public static double spearman(double[] a, double[] b) {
        return pearson(ranks(a), ranks(b));
    }

    /**
     * One-sided p-value P(R ≥ r) for a correlation r of n pairs under independence, by the t
     * approximation t = r√((n−2)/(1−r²)) with n−2 degrees of freedom (exact for Pearson with normal
     * data; the catalogue's X1 rule for Spearman). Requires n ≥ 3.
     */
    public static double correlationPUpper(double r, long n) {
        if (n < 3) throw new IllegalArgumentException("need n >= 3, got " + n);
        if (Double.isNaN(r)) return Double.NaN;
        if (r >= 1) return 0.0;
        if (r <= -1) return 1.0;
        double df = n - 2;
        double t = r * Math.sqrt(df / (1 - r * r));
        return studentTUpper(t, df);
    }

    /** P(T ≥ t) for Student's t with {@code df} degrees of freedom. */
    public static double studentTUpper(double t, double df) {
        double twoSided = regularizedBeta(df / (df + t * t), df / 2, 0.5);
        return t >= 0 ? twoSided / 2 : 1 - twoSided / 2;
    }

    /** Regularised incomplete beta I_x(a, b) (continued fraction, Numerical Recipes §6.4). */
    public static double regularizedBeta(double x, double a, double b) {
        if (x <= 0) return 0;
        if (x >= 1) return 1;
        double lnFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
        if (x < (a + 1) / (a + b + 2)) {
            return Math.exp(lnFront) * betaContinuedFraction(x, a, b) / a;
        }
        return 1 - Math.exp(lnFront) * betaContinuedFraction(1 - x, b, a) / b;
    }

    private static double betaContinuedFraction(double x, double a, double b) {
        final double tiny = 1e-300, eps = 1e-15;
        double qab = a + b, qap = a + 1, qam = a - 1;
        double c = 1, d = 1 - qab * x / qap;
        if (Math.abs(d) < tiny) d = tiny;
        d = 1 / d;
        double h = d;
        for (int m = 1; m <= 10_000; m++) {
            int m2 = 2 * m;
            double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
            d = 1 + aa * d;
            if (Math.abs(d) < tiny) d = tiny;
            c = 1 + aa / c;
            if (Math.abs(c) < tiny) c = tiny;
            d = 1 / d;
            h *= d * c;
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
            d = 1 + aa * d;
            if (Math.abs(d) < tiny) d = tiny;
            c = 1 + aa / c;
            if (Math.abs(c) < tiny) c = tiny;
            d = 1 / d;
            double del = d * c;
            h *= del;
            if (Math.abs(del - 1) < eps) return h;
        }
        return h;
    }

    /** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; relative error below 1e-13). */
    public static double logGamma(double x) {
        final double[] c = {0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
            1.5056327351493116e-7};
        if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
        x -= 1;
        double s = c[0];
        double t = x + 7.5;
        for (int i = 1; i < 9; i++) s += c[i] / (x + i);
        return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(s);
    }

    /**
     * ln P(X ≥ x) for X ~ χ² with 2k degrees of freedom: the closed form
     * e^{−x/2} Σ_{j<k} (x/2)^j / j!, summed in log space so tails far below 1e-300 stay finite.
     */
    public static double logChiSquareUpperEvenDf(double x, int k) {
        if (k < 1) throw new IllegalArgumentException("k must be >= 1");
        if (x <= 0) return 0;
        double h = x / 2, logTerm = 0, maxLog = 0;
        double[] logs = new double[k];
        for (int j = 0; j < k; j++) {
            if (j > 0) logTerm += Math.log(h) - Math.log(j);
            logs[j] = logTerm;
            maxLog = Math.max(maxLog, logTerm);
        }
        double s = 0;
        for (double l : logs) s += Math.exp(l - maxLog);
        return Math.min(0, -h + maxLog + Math.log(s));
    }

    /** ln P(X ≥ a) for X ~ Poisson(λ), summed in log space from a upward (a ≥ 0, λ > 0). */
    public static double logPoissonUpper(int a, double lambda) {
        if (a <= 0) return 0;
        if (!(lambda > 0)) throw new IllegalArgumentException("lambda must be > 0");
        if (a <= lambda) {
            // Upper tail is not small: 1 - P(X < a), summed directly.
            double below = 0;
            for (int k = 0; k < a; k++) below += Math.exp(-lambda + k * Math.log(lambda) - logGamma(k + 1));
            return Math.log(Math.max(0, 1 - below));
        }
        double first = -lambda + a * Math.log(lambda) - logGamma(a + 1), s = 0;
        for (int k = a; k < a + 400; k++) {
            double l = -lambda + k * Math.log(lambda) - logGamma(k + 1) - first;
            s += Math.exp(l);
            if (l < -40) break;
        }
        return first + Math.log(s);
    }

    /** Fisher's method: X = −2 Σ ln p_i ~ χ²_{2k}; returns ln of the combined p (p_i floored at {@link #P_FLOOR}). */
    public static double fisherLogP(double[] p) {
        if (p.length == 0) throw new IllegalArgumentException("no p-values");
        double x = 0;
        for (double v : p) x += -2 * Math.log(Math.max(v, P_FLOOR));
        return logChiSquareUpperEvenDf(x, p.length);
    }

    /** Exact permutation p-value (1 + b) / (T + 1), b = permuted statistics at least as extreme (Zhu et al. 2025). */
    public static double permutationP(int atLeastAsExtreme, int permutations) {
        if (atLeastAsExtreme < 0 || atLeastAsExtreme > permutations) throw new IllegalArgumentException("b out of range");
        return (1.0 + atLeastAsExtreme) / (permutations + 1.0);
    }

    /** Fisher–Yates shuffle of 0..n−1 with a seeded generator. */
    public static int[] randomPermutation(int n, java.util.SplittableRandom rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private static void requireSameLength(double[] a, double[] b) {
        if (a.length != b.length) throw new IllegalArgumentException("lengths differ: " + a.length + " vs " + b.length);
    }
}
