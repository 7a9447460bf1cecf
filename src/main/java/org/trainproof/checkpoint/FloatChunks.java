package org.trainproof.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Exact statistics and the {@code tp-countsketch-v3} sketch of one chunk of BF16 or F32 elements, in
 * one pass over the bytes, with no histogram.
 *
 * <p>The statistics are defined lane by lane so that a vector unit can compute them and a scalar loop
 * gets the same bits: element with global flat index g adds x to lane {@code g mod 16} of Σx and x²
 * to lane {@code g mod 16} of Σx², in increasing g; the lanes are then summed in order 0..15. x² is
 * exact in double for both types (at most 2·24 significant bits), so a fused multiply-add and a
 * multiply-then-add give the same lane sums. M2 (sum of squared deviations) is Σx² − (Σx)²/n unless
 * that cancels more than {@link #TWO_PASS_RATIO}-fold (|mean| above about 4 standard deviations, e.g.
 * norm gains near 1), in which case a second pass sums (x − mean)² in the same lanes: so M2 loses at
 * most log2(16) = 4 bits to cancellation, and per lane at most one rounding per element (relative error
 * below 2.2·10⁻¹⁰ in the worst case for a 4 MiB chunk, ~10⁻¹⁴ typically). Min and max compare the
 * floats' bits in a signed total order (a ±0 result is reported as +0). Zeros are counted exactly;
 * NaN and ±Inf are counted and left out of the sums, the min/max and the sketch.
 *
 * <p>The vector kernel ({@link VectorChunks}, JDK module {@code jdk.incubator.vector}) handles the
 * whole 64-element words of chunks whose elements are all finite; the head before the first word, the
 * tail and every chunk holding NaN or ±Inf take the scalar loops here. {@code FloatChunksTest} checks
 * that both give bit-identical statistics and sketches. Not thread-safe: one instance per worker.
 */
final class FloatChunks {
    static final int LANES = 16;
    /** Σx² above this multiple of Σx² − (Σx)²/n: M2 is recomputed in a second pass. */
    static final double TWO_PASS_RATIO = 16.0;
    /** key(+Inf) and key(−Inf) in the signed order of {@link #key}: a non-finite value lies outside. */
    static final int KEY_POS_INF = 0x7F800000;
    static final int KEY_NEG_INF = 0xFF800000 ^ 0x7FFFFFFF;

    /** The vector kernel, or null, and why it is null (from the same checks). */
    private record Loaded(Kernel kernel, String absence) {}

    /**
     * Loaded at first use (a holder class), not when FloatChunks loads: setting the kernel up costs ≈ 0.12
     * s of a fresh JVM (its classes, the Vector API's species, a first probe pass), which a manifest of a
     * small checkpoint does not need ({@link Manifests}: the scalar loops below {@link #VECTOR_MIN_BYTES}).
     */
    private static final class Vector {
        static final Loaded LOADED = loadVector();
    }

    /**
     * BF16/F32 bytes below which a manifest runs the scalar loops without setting the vector kernel up:
     * the set-up (≈ 0.12 s wall, measured in a fresh JVM on the 2-core EPYC host) costs what the scalar
     * loops take for ≈ 100 MB on two cores (BF16 2.45 CPU-s/GB); 64 MiB leaves a margin. Both give the
     * same bits (FloatChunksTest), so this changes only the time.
     */
    static final long VECTOR_MIN_BYTES = 64L << 20;

    /** BF16/F32 bytes of the manifests this JVM has built so far (the set-up is paid once per JVM). */
    private static final java.util.concurrent.atomic.AtomicLong FLOAT_BYTES = new java.util.concurrent.atomic.AtomicLong();

    /**
     * Whether a manifest of {@code bytes} BF16/F32 bytes should use the vector kernel: once this JVM's
     * manifests, this one included, reach {@link #VECTOR_MIN_BYTES} (so {@code verify --artifacts} of a
     * thousand 50 MB checkpoints sets the kernel up once and runs it on all but the first), never for a
     * lone small checkpoint.
     */
    static boolean vectorFor(long bytes) {
        return FLOAT_BYTES.addAndGet(bytes) >= VECTOR_MIN_BYTES;
    }

    /** The BF16/F32 bytes {@link #vectorFor} has counted so far in this JVM. */
    static long floatBytesSeen() {
        return FLOAT_BYTES.get();
    }

    /** The vector kernel, or null where {@code jdk.incubator.vector} is not loaded, too narrow, or turned off. */
    static Kernel vector() {
        return Vector.LOADED.kernel();
    }

    /** The vector part: the whole 64-element words of an all-finite chunk (see {@link VectorChunks}). */
    interface Kernel {
        /**
         * First pass over words [{@code i0}, {@code i1}) (element offsets from {@code off}, multiples of
         * 64 apart; element i0 has global index {@code first + i0}, a multiple of 64): adds to
         * {@code acc.s}, {@code acc.q}, {@code acc.keyMin/keyMax}, {@code acc.absMin} and to the sketch
         * lanes. Returns false as soon as it can tell a word holds NaN or ±Inf (the caller then
         * restores the sketch and redoes the chunk in scalar).
         */
        boolean pass1(boolean bf16, ByteBuffer buf, int off, int i0, int i1, long first, Acc acc, TensorSketch.Builder sk);

        /** Σ(x − mean)² into {@code lanes} (by global index mod 16) over the same words; all finite. */
        void deviations(boolean bf16, ByteBuffer buf, int off, int i0, int i1, double mean, double[] lanes);

        /** Elements equal to ±0 among [i0, i1). */
        long zeros(boolean bf16, ByteBuffer buf, int off, int i0, int i1);

        /** A short name for reports ("AVX-512 via jdk.incubator.vector, 512-bit"). */
        String describe();
    }

    /** Lane accumulators of one chunk. */
    static final class Acc {
        final double[] s = new double[LANES];
        final double[] q = new double[LANES];
        int keyMin;
        int keyMax;
        /** Minimum of (bits &amp; 0x7FFFFFFF) over the vector words: 0 means a zero was met there. */
        int absMin;
        long finite;
        long zeros;
        long nan;
        long posInf;
        long negInf;

        void reset() {
            Arrays.fill(s, 0.0);
            Arrays.fill(q, 0.0);
            keyMin = Integer.MAX_VALUE;
            keyMax = Integer.MIN_VALUE;
            absMin = Integer.MAX_VALUE;
            finite = zeros = nan = posInf = negInf = 0;
        }
    }

    private final Acc acc = new Acc();
    private final double[] dev = new double[LANES];
    /** The sketch lanes as they were before the vector pass, restored if it meets NaN or ±Inf. */
    private double[] saved = new double[0];
    private final Kernel kernel;

    FloatChunks() {
        this(vector());
    }

    /** With an explicit kernel (null: scalar only), for tests. */
    FloatChunks(Kernel kernel) {
        this.kernel = kernel;
    }

    static String describeKernel() {
        Loaded l = Vector.LOADED;
        return l.kernel() == null ? "scalar (jdk.incubator.vector not loaded: " + l.absence() + ")" : l.kernel().describe();
    }

    private static Loaded loadVector() {
        if ("0".equals(System.getenv("TRAINPROOF_VECTOR"))) return absent("TRAINPROOF_VECTOR=0");
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return absent("run with --add-modules jdk.incubator.vector, as bin/trainproof does");
        }
        // without C2 the Vector API runs as objects, ~100x slower than the scalar loops (110 CPU-s/GB measured)
        if (!optimisingCompiler()) return absent("no C2 compiler in this JVM (-XX:TieredStopAtLevel below 4)");
        try {
            Object k = Class.forName("org.trainproof.checkpoint.VectorChunks").getDeclaredConstructor().newInstance();
            return new Loaded((Kernel) k, "");
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            // no usable vector unit (VectorChunks refuses one narrower than 512 bits): the scalar loops give the same results
            Throwable why = e.getCause() != null ? e.getCause() : e;
            return absent(why.getMessage() != null ? why.getMessage() : why.toString());
        }
    }

    private static Loaded absent(String why) {
        return new Loaded(null, why);
    }

    /** Whether this JVM compiles hot code with C2 (not -XX:TieredStopAtLevel=1..3, as light commands run). */
    private static boolean optimisingCompiler() {
        try {
            com.sun.management.HotSpotDiagnosticMXBean d =
                    java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            if (d == null) return true;
            boolean tiered = Boolean.parseBoolean(d.getVMOption("TieredCompilation").getValue());
            int stop = Integer.parseInt(d.getVMOption("TieredStopAtLevel").getValue());
            return !tiered || stop >= 4;
        } catch (RuntimeException | LinkageError e) {
            return true;
        }
    }

    /** Signed total order of float bits: key(a) &lt; key(b) iff a &lt; b (and −0 &lt; +0); NaNs outermost. */
    static int key(int bits) {
        return bits ^ ((bits >> 31) >>> 1);
    }

    /** The inverse of {@link #key} (it is an involution). */
    static int unkey(int key) {
        return key ^ ((key >> 31) >>> 1);
    }

    /**
     * Adds the chunk of {@code m} elements at byte {@code off} of {@code buf} (little-endian; absolute
     * positions), whose element 0 has global flat index {@code first}, to {@code st} and {@code sk}.
     */
    void add(boolean bf16, ByteBuffer buf, int off, int m, long first, StatsAccumulator st, TensorSketch.Builder sk) {
        ByteBuffer le = buf.order() == ByteOrder.LITTLE_ENDIAN ? buf : buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        Acc a = acc;
        a.reset();
        int head = (int) Math.min(m, (64 - (first & 63)) & 63);
        int words = (m - head) / 64;
        boolean vector = false;
        if (kernel != null && sk.width() >= 64 && words > 0) {
            double[] lanes = sk.lanes();
            if (saved.length != lanes.length) saved = new double[lanes.length];
            System.arraycopy(lanes, 0, saved, 0, lanes.length);
            scalar(bf16, le, off, 0, head, first, sk);
            if (kernel.pass1(bf16, le, off, head, head + 64 * words, first, a, sk)) {
                if (a.absMin == 0) a.zeros += kernel.zeros(bf16, le, off, head, head + 64 * words);
                a.finite += 64L * words;
                scalar(bf16, le, off, head + 64 * words, m, first, sk);
                vector = true;
            } else {
                System.arraycopy(saved, 0, sk.lanes(), 0, saved.length);
                a.reset();
            }
        }
        if (!vector) scalar(bf16, le, off, 0, m, first, sk);
        st.count += m;
        st.zeros += a.zeros;
        st.nan += a.nan;
        st.posInf += a.posInf;
        st.negInf += a.negInf;
        long n = a.finite;
        if (n == 0) return;
        double s = 0;
        double q = 0;
        for (int l = 0; l < LANES; l++) {
            s += a.s[l];
            q += a.q[l];
        }
        double mean = s / n;
        double m2 = q - s * mean;
        if (!(m2 * TWO_PASS_RATIO >= q)) {
            Arrays.fill(dev, 0.0);
            if (vector) {
                deviations(bf16, le, off, 0, head, first, mean);
                kernel.deviations(bf16, le, off, head, head + 64 * words, mean, dev);
                deviations(bf16, le, off, head + 64 * words, m, first, mean);
            } else {
                deviations(bf16, le, off, 0, m, first, mean);
            }
            m2 = 0;
            for (int l = 0; l < LANES; l++) m2 += dev[l];
        }
        double lo = Float.intBitsToFloat(unkey(a.keyMin)) + 0.0;
        double hi = Float.intBitsToFloat(unkey(a.keyMax)) + 0.0;
        st.combine(n, mean, m2, lo, hi);
    }

    private static int bits(boolean bf16, ByteBuffer b, int off, int j) {
        return bf16 ? (b.getShort(off + 2 * j) & 0xFFFF) << 16 : b.getInt(off + 4 * j);
    }

    /**
     * Elements [j0, j1) one by one: the definition the vector kernel must equal. Whole 64-element words
     * (a sketch sign word and a lane base each) go through {@link #words}, the rest element by element.
     */
    private void scalar(boolean bf16, ByteBuffer b, int off, int j0, int j1, long first, TensorSketch.Builder sk) {
        if (sk.width() >= 64) {
            int head = (int) Math.min(j1 - j0, (64 - ((first + j0) & 63)) & 63);
            int words = (j1 - j0 - head) / 64;
            if (words > 0) {
                elements(bf16, b, off, j0, j0 + head, first, sk);
                words(bf16, b, off, j0 + head, j0 + head + 64 * words, first, sk);
                j0 += head + 64 * words;
            }
        }
        elements(bf16, b, off, j0, j1, first, sk);
    }

    private void elements(boolean bf16, ByteBuffer b, int off, int j0, int j1, long first, TensorSketch.Builder sk) {
        Acc a = acc;
        for (int j = j0; j < j1; j++) {
            int bits = bits(bf16, b, off, j);
            if ((bits & 0x7F800000) == 0x7F800000) {
                nonFinite(bits);
                continue;
            }
            double x = Float.intBitsToFloat(bits);
            long g = first + j;
            int l = (int) g & (LANES - 1);
            a.s[l] += x;
            a.q[l] += x * x;
            int k = key(bits);
            if (k < a.keyMin) a.keyMin = k;
            if (k > a.keyMax) a.keyMax = k;
            a.finite++;
            if ((bits & 0x7FFFFFFF) == 0) {
                a.zeros++;
            } else {
                sk.add(g, x);
            }
        }
    }

    private void nonFinite(int bits) {
        if ((bits & 0x007FFFFF) != 0) acc.nan++;
        else if (bits > 0) acc.posInf++;
        else acc.negInf++;
    }

    /**
     * Whole words [j0, j1) (global index of j0 a multiple of 64): the same adds as {@link #elements} in the
     * same order, with one sign word and one lane base per 64 elements. A zero adds ±0 to its sketch lane,
     * which leaves it unchanged (lanes start at +0 and never become −0), so zeros need no branch there.
     */
    private void words(boolean bf16, ByteBuffer b, int off, int j0, int j1, long first, TensorSketch.Builder sk) {
        Acc a = acc;
        final double[] s = a.s;
        final double[] q = a.q;
        final double[] lanes = sk.lanes();
        int keyMin = a.keyMin;
        int keyMax = a.keyMax;
        long finite = 0;
        long zeros = 0;
        for (int j = j0; j < j1; j += 64) {
            long g = first + j;
            long h = sk.signWord(g >>> 6);
            int base = sk.lane(g);
            for (int t = 0; t < 64; t++) {
                int bits = bits(bf16, b, off, j + t);
                if ((bits & 0x7F800000) == 0x7F800000) {
                    nonFinite(bits);
                    continue;
                }
                double x = Float.intBitsToFloat(bits);
                int l = t & (LANES - 1);
                s[l] += x;
                q[l] += x * x;
                int k = key(bits);
                keyMin = Math.min(keyMin, k);
                keyMax = Math.max(keyMax, k);
                finite++;
                zeros += (bits & 0x7FFFFFFF) == 0 ? 1 : 0;
                lanes[base + t] += Double.longBitsToDouble(Double.doubleToRawLongBits(x) ^ ((h >>> t) << 63));
            }
        }
        a.keyMin = keyMin;
        a.keyMax = keyMax;
        a.finite += finite;
        a.zeros += zeros;
    }

    private void deviations(boolean bf16, ByteBuffer b, int off, int j0, int j1, long first, double mean) {
        for (int j = j0; j < j1; j++) {
            int bits = bits(bf16, b, off, j);
            if ((bits & 0x7F800000) == 0x7F800000) continue;
            double d = Float.intBitsToFloat(bits) - mean;
            dev[(int) (first + j) & (LANES - 1)] += d * d;
        }
    }
}
