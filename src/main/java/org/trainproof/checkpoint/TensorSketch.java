package org.trainproof.checkpoint;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * A CountSketch (Charikar, Chen &amp; Farach-Colton, ICALP 2002) of one tensor: one row ({@code depth} = 1)
 * of {@code width} buckets. It is linear — sketch(A) − sketch(B) = sketch(A − B) — so inner products,
 * distances and cosines between checkpoints of the same tensor (same name, same element count, same
 * scheme) can be estimated from sketches alone. Requires width a power of two in [2, 32768]. Buckets
 * accumulate in double and are stored as float32 LE base64. Zero and non-finite values are skipped
 * (the stats count them).
 *
 * <p>Scheme {@value #SCHEME} (new manifests). Flat index i (0-based, row-major); {@code s =
 * Seeds.seed("sketch", name)}, {@code t = Seeds.seed("sketch-rotation", name)}, γ = 0x9E3779B97F4A7C15.
 * Sign: element i is negated iff bit (i mod 64) of {@code Seeds.mix64(s + (⌊i/64⌋ + 1)·γ)} is set (one
 * SplitMix64 output per 64 elements). Bucket: the elements are cut into blocks of {@code width}
 * (block P = ⌊i/width⌋); block P is rotated by {@code r(P) = mix64(t + (P + 1)·γ) mod width}, and element i
 * goes to bucket {@code ((i mod width) + r(P)) mod width}. So consecutive elements go to consecutive
 * buckets (no hash per element, no scattered adds), yet two elements of different blocks share a
 * bucket with probability exactly 1/width (independent uniform rotations), and two elements of one
 * block never do.
 *
 * <p>Error bound of {@value #SCHEME}, treating the SplitMix64 outputs as independent uniform bits (as
 * the CountSketch analysis does for its hash functions): E[s_i s_j] = 0 for i ≠ j, so ⟨Sa, Sb⟩ is
 * unbiased for ⟨a, b⟩; the signs are 4-wise independent, so Var ⟨Sa, Sb⟩ = Σ_{i<j} P[i, j share a
 * bucket]·(a_i b_j + a_j b_i)², with P = 1/width across blocks and 0 within one. Every term is ≥ 0, so
 * Var ≤ (1/width)·Σ_{i<j} (a_i b_j + a_j b_i)² = (‖a‖²‖b‖² + ⟨a,b⟩² − 2Σ a_i²b_i²)/width: the same
 * one-sigma bound √((‖a‖²‖b‖² + ⟨a,b⟩²)/width) as {@value #SCHEME_V2} ({@link #innerProductSigma}); for
 * ‖a − b‖² = ⟨d, d⟩ it is √(2/width)·‖d‖². The rotation is what keeps the bound independent of the
 * data's layout: with a fixed bucket i mod width, a tensor whose mass sits in a few columns of
 * width-aligned rows (outlier features) would put it all in a few buckets. {@code SketchAccuracyTest}
 * checks estimates against exact values on real tensors within 4σ of this bound.
 *
 * <p>Scheme {@value #SCHEME_V2} (manifests recorded before; still read, compared only with sketches of
 * the same scheme): {@code h = Seeds.mix64(s + (⌊i/4⌋ + 1)·γ)} serves four consecutive elements,
 * element i uses {@code lane = (h >>> (16 · (i mod 4))) & 0xFFFF}: bucket = {@code lane & (width − 1)},
 * sign = −1 if lane bit 15 is set ({@link V2Builder}); same bound. It costs a hash per four elements
 * and a scattered add per element, which the JIT cannot vectorise (docs/performance.md).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TensorSketch(String scheme, int width, int depth, String dataF32) {
    /** The scheme of new sketches. */
    public static final String SCHEME = "tp-countsketch-v3";
    /** The scheme of sketches recorded before {@value #SCHEME}: still accepted when read. */
    public static final String SCHEME_V2 = "tp-countsketch-v2";
    public static final int DEFAULT_WIDTH = 512;
    /** The only depth of both schemes; kept in the JSON so the record says what it is. */
    public static final int DEPTH = 1;

    public TensorSketch {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(dataF32, "dataF32");
        if (!SCHEME.equals(scheme) && !SCHEME_V2.equals(scheme)) throw new IllegalArgumentException("unknown sketch scheme: " + scheme);
        checkWidth(width);
        if (depth != DEPTH) throw new IllegalArgumentException("sketch depth must be " + DEPTH + ": " + depth);
    }

    static void checkWidth(int width) {
        if (width < 2 || width > 32768 || Integer.bitCount(width) != 1) {
            throw new IllegalArgumentException("sketch width must be a power of two in [2, 32768]: " + width);
        }
    }

    /**
     * Accumulates a {@value #SCHEME} sketch; elements may arrive in any order, each exactly once.
     *
     * <p>Internally the sketch is kept as {@code 2·width} lanes: element i goes to lane
     * {@code (i mod width) + r(⌊i/width⌋)} (never wrapped, so the 64 elements of a sign word always
     * land in 64 consecutive lanes), and bucket b = lane b + lane b + width. All paths add the same
     * value to the same lane in the same order as {@link #add} ({@link #addBlock}, and the BF16/F32 loops of
     * {@link FloatChunks} and {@link VectorChunks}), so they agree bit for bit.
     */
    public static final class Builder {
        private final long signSeed;
        private final long rotationSeed;
        private final int width;
        private final int mask;
        private final int log2Width;
        private final double[] lanes;
        private long cachedBlock = -1;
        private int cachedRotation;

        public Builder(String tensorName, int width) {
            checkWidth(width);
            this.signSeed = Seeds.seed("sketch", tensorName);
            this.rotationSeed = Seeds.seed("sketch-rotation", tensorName);
            this.width = width;
            this.mask = width - 1;
            this.log2Width = Integer.numberOfTrailingZeros(width);
            this.lanes = new double[2 * width];
        }

        /**
         * An empty builder of the same tensor and width as {@code like}: its seeds are copied, not derived
         * again (two SHA-256 calls), for the per-chunk builders of a manifest worker ({@link #clear}).
         */
        Builder(Builder like) {
            this.signSeed = like.signSeed;
            this.rotationSeed = like.rotationSeed;
            this.width = like.width;
            this.mask = like.mask;
            this.log2Width = like.log2Width;
            this.lanes = new double[2 * width];
        }

        /** Empties the lanes (the state of a new builder), so one builder serves chunk after chunk. */
        void clear() {
            Arrays.fill(lanes, 0.0);
        }

        /** The rotation r(P) of block P (elements P·width .. P·width + width − 1). */
        int rotation(long block) {
            if (block != cachedBlock) {
                cachedRotation = (int) Seeds.mix64(rotationSeed + (block + 1) * Seeds.GOLDEN_GAMMA) & mask;
                cachedBlock = block;
            }
            return cachedRotation;
        }

        /** The sign word of elements 64g .. 64g + 63: bit (i mod 64) set means element i is negated. */
        long signWord(long g) {
            return Seeds.mix64(signSeed + (g + 1) * Seeds.GOLDEN_GAMMA);
        }

        /** Lane of flat index i (an index into {@link #lanes()}). */
        int lane(long i) {
            return (int) (i & mask) + rotation(i >>> log2Width);
        }

        /** The live lanes (2·width; bucket b = lane b + lane b + width), for the chunk kernels of this package. */
        double[] lanes() {
            return lanes;
        }

        int width() {
            return width;
        }

        /** Adds value v at flat index i (requires i &ge; 0). Zero and non-finite values are skipped. */
        public void add(long i, double v) {
            if (!Double.isFinite(v) || v == 0.0) return;
            boolean negative = (signWord(i >>> 6) >>> (i & 63) & 1) != 0;
            lanes[lane(i)] += negative ? -v : v;
        }

        /** Elements that can be done in whole 64-element sign words: needs width &ge; 64 (a word then never straddles blocks). */
        private boolean wordPath() {
            return width >= 64;
        }

        /** Elements from {@code first} (of {@code n}) before the next multiple of 64 (or all, without the word path). */
        private int head(long first, int n) {
            if (!wordPath()) return n;
            return (int) Math.min(n, (64 - (first & 63)) & 63);
        }

        /**
         * Adds {@code v[0..n)} at flat indices {@code firstIndex, firstIndex + 1, ...}; the same as calling
         * {@link #add} for each in order.
         */
        public void addBlock(long firstIndex, double[] v, int n) {
            int j = head(firstIndex, n);
            for (int q = 0; q < j; q++) add(firstIndex + q, v[q]);
            final double[] ln = lanes;
            for (; j + 64 <= n; j += 64) {
                long i = firstIndex + j;
                long h = signWord(i >>> 6);
                int base = lane(i);
                for (int q = 0; q < 64; q++) {
                    double x = v[j + q];
                    if (x == 0.0 || x - x != 0.0) continue; // zero or non-finite, as add()
                    // bit q of h flips the sign bit (bit 63) of x
                    ln[base + q] += Double.longBitsToDouble(Double.doubleToRawLongBits(x) ^ ((h >>> q) << 63));
                }
            }
            for (; j < n; j++) add(firstIndex + j, v[j]);
        }

        /** Adds another builder's lanes (for sketches computed in parallel chunks). */
        public void merge(Builder other) {
            if (other.signSeed != signSeed || other.width != width) {
                throw new IllegalArgumentException("cannot merge sketches of different tensors or shapes");
            }
            for (int i = 0; i < lanes.length; i++) lanes[i] += other.lanes[i];
        }

        public TensorSketch build() {
            ByteBuffer b = ByteBuffer.allocate(width * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < width; i++) b.putFloat((float) (lanes[i] + lanes[i + width]));
            return new TensorSketch(SCHEME, width, DEPTH, Base64.getEncoder().encodeToString(b.array()));
        }
    }

    /**
     * The {@value #SCHEME_V2} builder (bucket and sign from 16 hash bits per element, one mix64 per four
     * elements), as manifests recorded before {@value #SCHEME} were computed. Not used for new manifests;
     * kept so the old scheme stays defined by code and tested ({@code TensorSketchBuilderTest}).
     */
    static final class V2Builder {
        private final long seed;
        private final int width;
        private final int mask;
        private final double[] buckets;

        V2Builder(String tensorName, int width) {
            checkWidth(width);
            this.seed = Seeds.seed("sketch", tensorName);
            this.width = width;
            this.mask = width - 1;
            this.buckets = new double[width];
        }

        /** The 64 hash bits shared by elements 4g .. 4g+3. */
        private long groupHash(long g) {
            return Seeds.mix64(seed + (g + 1) * Seeds.GOLDEN_GAMMA);
        }

        /** Adds value v at flat index i (requires i &ge; 0). Zero and non-finite values are skipped. */
        public void add(long i, double v) {
            if (!Double.isFinite(v) || v == 0.0) return;
            int lane = (int) (groupHash(i >>> 2) >>> (16 * (int) (i & 3))) & 0xFFFF;
            buckets[lane & mask] += (lane & 0x8000) != 0 ? -v : v;
        }

        /**
         * Adds {@code v[0..n)} at flat indices {@code firstIndex, firstIndex + 1, ...}; the same as
         * calling {@link #add} for each in order, with one hash per four elements.
         */
        public void addBlock(long firstIndex, double[] v, int n) {
            int j = 0;
            for (; j < n && ((firstIndex + j) & 3) != 0; j++) add(firstIndex + j, v[j]);
            final double[] bk = buckets;
            final int m = mask;
            long s = seed + (((firstIndex + j) >>> 2) + 1) * Seeds.GOLDEN_GAMMA;
            for (; j + 4 <= n; j += 4, s += Seeds.GOLDEN_GAMMA) {
                long h = Seeds.mix64(s);
                for (int q = 0; q < 4; q++) {
                    double x = v[j + q];
                    if (x == 0.0 || x - x != 0.0) continue; // zero or non-finite, as add()
                    int lane = (int) (h >>> (16 * q));
                    // bit 15 of the lane flips the sign bit (bit 63) of x
                    bk[lane & m] += Double.longBitsToDouble(Double.doubleToRawLongBits(x) ^ ((long) (lane & 0x8000) << 48));
                }
            }
            for (; j < n; j++) add(firstIndex + j, v[j]);
        }

        /** Adds another builder's buckets (for sketches computed in parallel chunks). */
        public void merge(V2Builder other) {
            if (other.seed != seed || other.width != width) {
                throw new IllegalArgumentException("cannot merge sketches of different tensors or shapes");
            }
            for (int i = 0; i < buckets.length; i++) buckets[i] += other.buckets[i];
        }

        public TensorSketch build() {
            ByteBuffer b = ByteBuffer.allocate(buckets.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (double v : buckets) b.putFloat((float) v);
            return new TensorSketch(SCHEME_V2, width, DEPTH, Base64.getEncoder().encodeToString(b.array()));
        }
    }

    /** Bucket values (width of them). */
    @JsonIgnore
    public double[] buckets() {
        byte[] raw = Base64.getDecoder().decode(dataF32);
        if (raw.length != 4L * width) {
            throw new IllegalArgumentException("sketch holds " + raw.length + " bytes, not 4*width");
        }
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        double[] out = new double[width];
        for (int i = 0; i < out.length; i++) out[i] = b.getFloat();
        return out;
    }

    private void requireCompatible(TensorSketch o) {
        if (!scheme.equals(o.scheme) || width != o.width || depth != o.depth) {
            throw new IllegalArgumentException("sketches differ in scheme or shape");
        }
    }

    /** Estimate of ⟨a, b⟩. Both sketches must be of the same tensor name. */
    public double innerProduct(TensorSketch other) {
        requireCompatible(other);
        double[] a = buckets();
        double[] b = other.buckets();
        double sum = 0;
        for (int i = 0; i < a.length; i++) sum += a[i] * b[i];
        return sum;
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
        return sum;
    }

    /** Estimate of ⟨a − b, c − d⟩ for four sketches of one tensor: cosines of update directions. */
    public static double differenceInnerProduct(TensorSketch a, TensorSketch b, TensorSketch c, TensorSketch d) {
        a.requireCompatible(b);
        a.requireCompatible(c);
        a.requireCompatible(d);
        double[] x = a.buckets(), y = b.buckets(), z = c.buckets(), w = d.buckets();
        double sum = 0;
        for (int i = 0; i < x.length; i++) sum += (x[i] - y[i]) * (z[i] - w[i]);
        return sum;
    }

    /**
     * One-sigma error bound of {@link #innerProduct} given the exact norms and the estimate itself:
     * √((‖a‖²‖b‖² + ⟨a,b⟩²)/width).
     */
    public double innerProductSigma(double normA, double normB, double estimate) {
        return Math.sqrt((normA * normA * normB * normB + estimate * estimate) / width);
    }
}
