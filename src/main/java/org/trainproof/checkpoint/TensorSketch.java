package org.trainproof.checkpoint;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.Objects;

/**
 * A CountSketch (Charikar, Chen &amp; Farach-Colton, ICALP 2002) of one tensor, scheme {@value #SCHEME}:
 * {@code depth} rows of {@code width} buckets. It is linear — sketch(A) − sketch(B) = sketch(A − B) —
 * so inner products, distances and cosines between checkpoints of the same tensor (same name, same
 * element count) can be estimated from sketches alone.
 *
 * <p>Hashing of flat index i (0-based, row-major): {@code h = Seeds.mix64(seed + (i + 1) * 0x9E3779B97F4A7C15)}
 * with {@code seed = Seeds.seed("sketch", name)}; row r uses the 16 bits {@code (h >>> 16r) & 0xFFFF}:
 * bucket = low log2(width) bits, sign = −1 if bit 15 is set. Requires width a power of two in
 * [2, 32768] and depth in [1, 4]. Buckets accumulate in double and are stored as float32 LE base64.
 *
 * <p>Error bound: each row's ⟨S_r a, S_r b⟩ is unbiased for ⟨a, b⟩ with variance at most
 * (‖a‖²‖b‖² + ⟨a,b⟩²)/width; the estimate is the mean of the rows, so its standard deviation is at most
 * √((‖a‖²‖b‖² + ⟨a,b⟩²)/(width·depth)) (rows use disjoint hash bits, treated as independent).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TensorSketch(String scheme, int width, int depth, String dataF32) {
    public static final String SCHEME = "tp-countsketch-v1";
    public static final int DEFAULT_WIDTH = 128;
    public static final int DEFAULT_DEPTH = 3;

    public TensorSketch {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(dataF32, "dataF32");
        checkShape(width, depth);
    }

    static void checkShape(int width, int depth) {
        if (width < 2 || width > 32768 || Integer.bitCount(width) != 1) {
            throw new IllegalArgumentException("sketch width must be a power of two in [2, 32768]: " + width);
        }
        if (depth < 1 || depth > 4) throw new IllegalArgumentException("sketch depth must be in [1, 4]: " + depth);
    }

    /** Accumulates a sketch element by element; elements may arrive in any order, each exactly once. */
    public static final class Builder {
        private final long seed;
        private final int width;
        private final int depth;
        private final int mask;
        private final double[] buckets;

        public Builder(String tensorName, int width, int depth) {
            checkShape(width, depth);
            this.seed = Seeds.seed("sketch", tensorName);
            this.width = width;
            this.depth = depth;
            this.mask = width - 1;
            this.buckets = new double[width * depth];
        }

        /** Adds value v at flat index i. Non-finite values are skipped (the stats count them). */
        public void add(long i, double v) {
            if (!Double.isFinite(v) || v == 0.0) return;
            long h = Seeds.mix64(seed + (i + 1) * Seeds.GOLDEN_GAMMA);
            for (int r = 0; r < depth; r++) {
                int bits = (int) (h >>> (16 * r)) & 0xFFFF;
                int idx = r * width + (bits & mask);
                buckets[idx] += (bits & 0x8000) != 0 ? -v : v;
            }
        }

        /**
         * Adds {@code v[0..n)} at flat indices {@code firstIndex, firstIndex + 1, ...}; the same as
         * calling {@link #add} for each in order, with the hash state stepped instead of recomputed.
         */
        public void addBlock(long firstIndex, double[] v, int n) {
            long s = seed + (firstIndex + 1) * Seeds.GOLDEN_GAMMA;
            if (depth != 3) {
                for (int j = 0; j < n; j++) add(firstIndex + j, v[j]);
                return;
            }
            final double[] bk = buckets;
            final int m = mask;
            final int w = width;
            for (int j = 0; j < n; j++, s += Seeds.GOLDEN_GAMMA) {
                double x = v[j];
                if (x == 0.0 || x - x != 0.0) continue; // zero or non-finite, as add()
                long h = Seeds.mix64(s);
                int b0 = (int) h;
                int b1 = (int) (h >>> 16);
                int b2 = (int) (h >>> 32);
                long xb = Double.doubleToRawLongBits(x);
                // bit 15 of each 16-bit row word flips the sign bit (bit 63) of x
                bk[b0 & m] += Double.longBitsToDouble(xb ^ ((long) (b0 & 0x8000) << 48));
                bk[w + (b1 & m)] += Double.longBitsToDouble(xb ^ ((long) (b1 & 0x8000) << 48));
                bk[2 * w + (b2 & m)] += Double.longBitsToDouble(xb ^ ((long) (b2 & 0x8000) << 48));
            }
        }

        /**
         * Adds {@code n} BF16 elements stored little-endian at {@code buf[byteOff..]}, flat indices
         * {@code firstIndex ..}; the same as {@link #add} of each decoded value, without a decode pass.
         */
        public void addBf16(long firstIndex, byte[] buf, int byteOff, int n) {
            if (depth != 3) {
                for (int j = 0, o = byteOff; j < n; j++, o += 2) {
                    add(firstIndex + j, Float.intBitsToFloat((buf[o + 1] << 24) | ((buf[o] & 0xff) << 16)));
                }
                return;
            }
            long s = seed + firstIndex * Seeds.GOLDEN_GAMMA;
            final double[] bk = buckets;
            final int m = mask;
            final int w = width;
            for (int j = 0, o = byteOff; j < n; j++, o += 2) {
                s += Seeds.GOLDEN_GAMMA;
                int bits = (buf[o + 1] << 24) | ((buf[o] & 0xff) << 16);
                // Non-finite (exponent all ones) becomes +0; adding ±0 to a bucket that started at +0
                // leaves it bit-identical, so this equals add()'s skipping, without a branch.
                bits &= ((bits & 0x7f800000) - 0x7f800000) >> 31;
                long h = Seeds.mix64(s);
                int b0 = (int) h;
                int b1 = (int) (h >>> 16);
                int b2 = (int) (h >>> 32);
                // bit 15 of each row word flips the float's sign bit (bit 31)
                bk[b0 & m] += Float.intBitsToFloat(bits ^ ((b0 & 0x8000) << 16));
                bk[w + (b1 & m)] += Float.intBitsToFloat(bits ^ ((b1 & 0x8000) << 16));
                bk[2 * w + (b2 & m)] += Float.intBitsToFloat(bits ^ ((b2 & 0x8000) << 16));
            }
        }

        /** Adds another builder's buckets (for sketches computed in parallel chunks). */
        public void merge(Builder other) {
            if (other.seed != seed || other.width != width || other.depth != depth) {
                throw new IllegalArgumentException("cannot merge sketches of different tensors or shapes");
            }
            for (int i = 0; i < buckets.length; i++) buckets[i] += other.buckets[i];
        }

        public TensorSketch build() {
            ByteBuffer b = ByteBuffer.allocate(buckets.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (double v : buckets) b.putFloat((float) v);
            return new TensorSketch(SCHEME, width, depth, Base64.getEncoder().encodeToString(b.array()));
        }
    }

    /** Bucket values, row-major (depth × width). */
    @JsonIgnore
    public double[] buckets() {
        byte[] raw = Base64.getDecoder().decode(dataF32);
        if (raw.length != 4L * width * depth) {
            throw new IllegalArgumentException("sketch holds " + raw.length + " bytes, not 4*width*depth");
        }
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        double[] out = new double[width * depth];
        for (int i = 0; i < out.length; i++) out[i] = b.getFloat();
        return out;
    }

    private void requireCompatible(TensorSketch o) {
        if (!scheme.equals(o.scheme) || width != o.width || depth != o.depth) {
            throw new IllegalArgumentException("sketches differ in scheme or shape");
        }
    }

    /** Estimate of ⟨a, b⟩ (mean over rows). Both sketches must be of the same tensor name. */
    public double innerProduct(TensorSketch other) {
        requireCompatible(other);
        double[] a = buckets();
        double[] b = other.buckets();
        double sum = 0;
        for (int i = 0; i < a.length; i++) sum += a[i] * b[i];
        return sum / depth;
    }

    /** Estimate of ‖a − b‖² (the sketch of the difference is the difference of sketches). */
    public double squaredDistance(TensorSketch other) {
        requireCompatible(other);
        double[] a = buckets();
        double[] b = other.buckets();
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            sum += d * d;
        }
        return sum / depth;
    }

    /** Estimate of ⟨a − b, c − d⟩ for four sketches of one tensor: cosines of update directions. */
    public static double differenceInnerProduct(TensorSketch a, TensorSketch b, TensorSketch c, TensorSketch d) {
        a.requireCompatible(b);
        a.requireCompatible(c);
        a.requireCompatible(d);
        double[] x = a.buckets(), y = b.buckets(), z = c.buckets(), w = d.buckets();
        double sum = 0;
        for (int i = 0; i < x.length; i++) sum += (x[i] - y[i]) * (z[i] - w[i]);
        return sum / a.depth;
    }

    /**
     * One-sigma error bound of {@link #innerProduct} given the exact norms and the estimate itself:
     * √((‖a‖²‖b‖² + ⟨a,b⟩²)/(width·depth)).
     */
    public double innerProductSigma(double normA, double normB, double estimate) {
        return Math.sqrt((normA * normA * normB * normB + estimate * estimate) / ((double) width * depth));
    }
}
