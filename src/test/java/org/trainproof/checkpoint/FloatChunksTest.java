package org.trainproof.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@link FloatChunks}: the vector kernel and the scalar loops give bit-identical statistics and
 * sketches on every kind of chunk (head/tail alignments, zeros, ±0, subnormals, NaN/±Inf anywhere,
 * offsets that force the second pass); the sketch equals {@link TensorSketch.Builder#add} element by
 * element; the statistics equal exact (BigDecimal) values to within their documented error.
 */
class FloatChunksTest {
    private enum Kind { GAUSS, ZEROS, SIGNED_ZEROS, SUBNORMAL, OFFSET, NONFINITE, CONSTANT, HUGE }

    private static ByteBuffer fill(boolean bf16, int m, Kind kind, Random r, int pad) {
        int es = bf16 ? 2 : 4;
        ByteBuffer b = ByteBuffer.allocateDirect(pad + es * m).order(ByteOrder.LITTLE_ENDIAN);
        for (int j = 0; j < m; j++) {
            float v = switch (kind) {
                case GAUSS -> (float) (r.nextGaussian() * 0.02);
                case ZEROS -> r.nextInt(7) == 0 ? 0f : (float) r.nextGaussian();
                case SIGNED_ZEROS -> r.nextBoolean() ? 0f : -0f;
                case SUBNORMAL -> Float.intBitsToFloat(r.nextInt(0x7FFFFF) + 1) * (r.nextBoolean() ? 1 : -1);
                case OFFSET -> (float) (1.0 + r.nextGaussian() * 0.01);
                case NONFINITE -> r.nextInt(997) == 0 ? new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}[r.nextInt(3)]
                        : (float) r.nextGaussian();
                case CONSTANT -> -3.5f;
                case HUGE -> (float) (r.nextGaussian() * 1e37);
            };
            int bits = Float.floatToRawIntBits(v);
            if (bf16) b.putShort(pad + 2 * j, (short) (bits >>> 16));
            else b.putInt(pad + 4 * j, bits);
        }
        return b;
    }

    private record Out(TensorStats stats, double[] lanes, String sketch) {}

    private static Out run(FloatChunks fc, boolean bf16, ByteBuffer b, int pad, int m, long first, int width) {
        StatsAccumulator st = new StatsAccumulator();
        TensorSketch.Builder sk = new TensorSketch.Builder("t.weight", width);
        fc.add(bf16, b, pad, m, first, st, sk);
        return new Out(st.toStats(), sk.lanes().clone(), sk.build().dataF32());
    }

    private static void assertSameBits(TensorStats a, TensorStats b, String where) {
        assertEquals(a.count(), b.count(), where);
        assertEquals(a.zeros(), b.zeros(), where);
        assertEquals(a.nan(), b.nan(), where);
        assertEquals(a.posInf(), b.posInf(), where);
        assertEquals(a.negInf(), b.negInf(), where);
        assertEquals(bits(a.mean()), bits(b.mean()), where + " mean " + a.mean() + " vs " + b.mean());
        assertEquals(bits(a.std()), bits(b.std()), where + " std " + a.std() + " vs " + b.std());
        assertEquals(bits(a.min()), bits(b.min()), where + " min");
        assertEquals(bits(a.max()), bits(b.max()), where + " max");
        assertEquals(bits(a.l2()), bits(b.l2()), where + " l2");
    }

    private static Long bits(Double d) {
        return d == null ? null : Double.doubleToRawLongBits(d);
    }

    @Test
    void vectorAndScalarAgreeBitForBit() {
        Assumptions.assumeTrue(FloatChunks.vector() != null, "vector kernel not loaded here: " + FloatChunks.describeKernel());
        assertEquals(2 * Kind.values().length * 9 * 6 * 3, parity().cases());
    }

    /** What {@link #parity} compared: how many chunks, and a SHA-256 over every result (the same on any JDK). */
    record Parity(int cases, String digest) {}

    /**
     * The vector kernel against the scalar loops on every kind of chunk, bit for bit (AssertionError at
     * the first difference); also run by {@link Jdk25KernelTest} in a JDK 25 child, whose digest must
     * equal this JVM's.
     */
    static Parity parity() {
        Random r = new Random(20261205);
        java.security.MessageDigest md = org.trainproof.bytes.Digest.newSha256();
        ByteBuffer acc = ByteBuffer.allocate(8);
        int cases = 0;
        for (boolean bf16 : new boolean[] {true, false}) {
            for (Kind kind : Kind.values()) {
                for (int m : new int[] {1, 63, 64, 65, 130, 1000, 4096 + 17, 3 * 4096 + 64, 20011}) {
                    for (long first : new long[] {0, 1, 63, 64, 12345, (1L << 33) + 5}) {
                        for (int width : new int[] {16, 64, 512}) {
                            int pad = 2 * r.nextInt(5);
                            ByteBuffer b = fill(bf16, m, kind, r, pad);
                            String where = (bf16 ? "BF16 " : "F32 ") + kind + " m=" + m + " first=" + first + " width=" + width;
                            Out v = run(new FloatChunks(), bf16, b, pad, m, first, width);
                            Out s = run(new FloatChunks(null), bf16, b, pad, m, first, width);
                            assertSameBits(s.stats(), v.stats(), where);
                            assertArrayEquals(s.lanes(), v.lanes(), where + " sketch lanes");
                            assertEquals(s.sketch(), v.sketch(), where);
                            TensorStats t = v.stats(); // bits, not toString: Double.toString changed in JDK 19
                            for (Long x : new Long[] {t.count(), t.zeros(), t.nan(), t.posInf(), t.negInf(), bits(t.mean()), bits(t.std()),
                                    bits(t.min()), bits(t.max()), bits(t.l2())}) {
                                md.update(acc.clear().putLong(0, x == null ? 0x7FF8DEADL : x).array());
                            }
                            for (double lane : v.lanes()) md.update(acc.clear().putDouble(0, lane).array());
                            md.update(v.sketch().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                            cases++;
                        }
                    }
                }
            }
        }
        return new Parity(cases, org.trainproof.bytes.Hex.encode(md.digest()));
    }

    @Test
    void sketchEqualsElementByElementAdd() {
        Random r = new Random(7);
        for (FloatChunks fc : new FloatChunks[] {new FloatChunks(), new FloatChunks(null)}) {
            for (boolean bf16 : new boolean[] {true, false}) {
                for (Kind kind : new Kind[] {Kind.GAUSS, Kind.ZEROS, Kind.NONFINITE}) {
                    int m = 9000 + r.nextInt(300);
                    long first = r.nextInt(1 << 20);
                    ByteBuffer b = fill(bf16, m, kind, r, 0);
                    Out got = run(fc, bf16, b, 0, m, first, 512);
                    TensorSketch.Builder ref = new TensorSketch.Builder("t.weight", 512);
                    for (int j = 0; j < m; j++) {
                        int bits = bf16 ? (b.getShort(2 * j) & 0xFFFF) << 16 : b.getInt(4 * j);
                        ref.add(first + j, Float.intBitsToFloat(bits));
                    }
                    assertArrayEquals(ref.lanes(), got.lanes(), kind + " " + bf16);
                }
            }
        }
    }

    @Test
    void statisticsMatchExactArithmetic() {
        Random r = new Random(11);
        MathContext mc = MathContext.DECIMAL128;
        for (FloatChunks fc : new FloatChunks[] {new FloatChunks(), new FloatChunks(null)}) {
            for (boolean bf16 : new boolean[] {true, false}) {
                for (Kind kind : new Kind[] {Kind.GAUSS, Kind.ZEROS, Kind.OFFSET, Kind.NONFINITE, Kind.CONSTANT, Kind.SUBNORMAL, Kind.HUGE}) {
                    int m = 50_000 + r.nextInt(1000);
                    ByteBuffer b = fill(bf16, m, kind, r, 0);
                    TensorStats got = run(fc, bf16, b, 0, m, 3, 512).stats();
                    BigDecimal sum = BigDecimal.ZERO;
                    long n = 0, zeros = 0, nan = 0, pinf = 0, ninf = 0;
                    double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < m; j++) {
                        float f = Float.intBitsToFloat(bf16 ? (b.getShort(2 * j) & 0xFFFF) << 16 : b.getInt(4 * j));
                        if (Float.isNaN(f)) nan++;
                        else if (f == Float.POSITIVE_INFINITY) pinf++;
                        else if (f == Float.NEGATIVE_INFINITY) ninf++;
                        else {
                            n++;
                            sum = sum.add(new BigDecimal(f));
                            if (f == 0f) zeros++;
                            lo = Math.min(lo, f);
                            hi = Math.max(hi, f);
                        }
                    }
                    BigDecimal mean = sum.divide(BigDecimal.valueOf(n), mc);
                    BigDecimal m2 = BigDecimal.ZERO;
                    for (int j = 0; j < m; j++) {
                        float f = Float.intBitsToFloat(bf16 ? (b.getShort(2 * j) & 0xFFFF) << 16 : b.getInt(4 * j));
                        if (Float.isFinite(f)) {
                            BigDecimal d = new BigDecimal(f).subtract(mean);
                            m2 = m2.add(d.multiply(d, mc), mc);
                        }
                    }
                    double std = Math.sqrt(m2.divide(BigDecimal.valueOf(n), mc).doubleValue());
                    String where = kind + (bf16 ? " BF16" : " F32");
                    assertEquals(m, got.count(), where);
                    assertEquals(zeros, got.zeros(), where);
                    assertEquals(nan, got.nan(), where);
                    assertEquals(pinf, got.posInf(), where);
                    assertEquals(ninf, got.negInf(), where);
                    assertEquals(lo + 0.0, got.min(), 0.0, where);
                    assertEquals(hi + 0.0, got.max(), 0.0, where);
                    assertNotNull(got.mean(), where);
                    double scale = Math.max(std, Math.abs(mean.doubleValue()));
                    assertTrue(Math.abs(got.mean() - mean.doubleValue()) <= 1e-13 * scale + Double.MIN_VALUE,
                            where + " mean " + got.mean() + " vs " + mean);
                    assertTrue(Math.abs(got.std() - std) <= 1e-9 * std + Double.MIN_VALUE, where + " std " + got.std() + " vs " + std);
                }
            }
        }
    }

    @Test
    void keyOrderIsTheFloatOrder() {
        float[] v = {Float.NEGATIVE_INFINITY, -1e30f, -1f, -Float.MIN_VALUE, -0f, 0f, Float.MIN_VALUE, 1f, 1e30f, Float.POSITIVE_INFINITY};
        for (int i = 0; i + 1 < v.length; i++) {
            int a = FloatChunks.key(Float.floatToRawIntBits(v[i])), b = FloatChunks.key(Float.floatToRawIntBits(v[i + 1]));
            assertTrue(a < b, v[i] + " < " + v[i + 1]);
            assertEquals(Float.floatToRawIntBits(v[i]), FloatChunks.unkey(a));
        }
        assertEquals(FloatChunks.KEY_POS_INF, FloatChunks.key(Float.floatToRawIntBits(Float.POSITIVE_INFINITY)));
        assertEquals(FloatChunks.KEY_NEG_INF, FloatChunks.key(Float.floatToRawIntBits(Float.NEGATIVE_INFINITY)));
    }
}
