package org.trainproof.analysis.stats;

import java.util.function.DoubleUnaryOperator;

/** CDFs of the initialisation distributions W1 tests against, and BF16 rounding. */
public final class InitDistributions {
    private InitDistributions() {}

    /** N(0, σ²). */
    public static DoubleUnaryOperator normal(double std) {
        return x -> Normal.cdf(x / std);
    }

    /**
     * N(0, σ²) truncated to [−aσ, aσ] (e.g. OLMo-2 {@code init_cutoff_factor: 3}; PyTorch
     * {@code trunc_normal_} with a = 2 when called with absolute bounds ±2 and std 1):
     * F(x) = (Φ(x/σ) − Φ(−a)) / (Φ(a) − Φ(−a)), clamped to [0, 1].
     */
    public static DoubleUnaryOperator truncatedNormal(double std, double a) {
        double lo = Normal.cdf(-a), z = Normal.cdf(a) - lo;
        return x -> {
            double u = x / std;
            if (u <= -a) return 0.0;
            if (u >= a) return 1.0;
            return (Normal.cdf(u) - lo) / z;
        };
    }

    /** U(−b, b). */
    public static DoubleUnaryOperator uniform(double bound) {
        return x -> x <= -bound ? 0.0 : x >= bound ? 1.0 : (x + bound) / (2 * bound);
    }

    /** Round a double to the nearest bfloat16 value (round half to even), as PyTorch casts float32. */
    public static double toBf16(double v) {
        float f = (float) v;
        if (Float.isNaN(f)) return Double.NaN;
        int bits = Float.floatToRawIntBits(f);
        int lsb = (bits >>> 16) & 1;
        bits += 0x7FFF + lsb;
        return Float.intBitsToFloat(bits & 0xFFFF0000);
    }

    /** True if v is exactly representable in bfloat16 (low 16 bits of its float32 are zero). */
    public static boolean isBf16(double v) {
        float f = (float) v;
        return f == v && (Float.floatToRawIntBits(f) & 0xFFFF) == 0;
    }

    /**
     * Unit in the last place of v in the given storage format ("F32", "BF16", "F16", "F64"):
     * the spacing of representable numbers at |v|.
     */
    public static double ulp(double v, String dtype) {
        double a = Math.abs(v);
        switch (dtype) {
            case "F64": return Math.ulp(a);
            case "F32": return Math.ulp((float) a);
            case "BF16": return Math.ulp((float) a) * 65536.0;
            case "F16": {
                if (a < 6.103515625e-05) return 5.960464477539063e-08; // subnormal spacing 2^-24
                return Math.scalb(1.0, Math.getExponent(a) - 10);
            }
            default: return Math.ulp((float) a);
        }
    }

    /** The next bfloat16 value above a bfloat16 value v (towards +∞). */
    public static double bf16Up(double v) {
        if (v == 0) return Float.intBitsToFloat(0x00010000);
        int bits = Float.floatToRawIntBits((float) v) & 0xFFFF0000;
        bits = v > 0 ? bits + 0x10000 : bits - 0x10000;
        return Float.intBitsToFloat(bits);
    }

    /** The next bfloat16 value below a bfloat16 value v (towards −∞). */
    public static double bf16Down(double v) {
        return -bf16Up(-v);
    }

    /**
     * P(X &lt; v) of the BF16-rounded version of a continuous distribution with CDF {@code cdf}, at a
     * BF16 value v: the CDF at the lower end of v's rounding interval, (bf16Down(v) + v)/2.
     */
    public static DoubleUnaryOperator bf16Left(DoubleUnaryOperator cdf) {
        return v -> cdf.applyAsDouble((bf16Down(v) + v) / 2);
    }

    /** P(X ≤ v) of the BF16-rounded distribution: the CDF at (v + bf16Up(v))/2. */
    public static DoubleUnaryOperator bf16Right(DoubleUnaryOperator cdf) {
        return v -> cdf.applyAsDouble((v + bf16Up(v)) / 2);
    }
}
