package org.trainproof.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fast bulk paths of both sketch builders ({@code tp-countsketch-v3}, used for new manifests, and
 * {@code tp-countsketch-v2}, kept for recorded ones) equal the documented element-by-element
 * {@code add}, and each {@code add} follows its documented hash (re-derived here from
 * {@link Seeds#mix64} and {@link Seeds#seed}, not from the builder).
 */
class TensorSketchBuilderTest {
    private static byte[] bf16Bytes(int n, long seed, boolean nonFinite) {
        Random r = new Random(seed);
        byte[] b = new byte[2 * n];
        for (int i = 0; i < n; i++) {
            float f = (float) (r.nextGaussian() * 0.02);
            if (i % 97 == 0) f = 0f;
            if (i % 101 == 0) f = -0f;
            if (nonFinite && i % 103 == 0) f = Float.NaN;
            if (nonFinite && i % 107 == 0) f = Float.NEGATIVE_INFINITY;
            if (nonFinite && i % 109 == 0) f = Float.POSITIVE_INFINITY;
            short s = SafetensorsWriter.toBf16Bits(f);
            b[2 * i] = (byte) s;
            b[2 * i + 1] = (byte) (s >> 8);
        }
        return b;
    }

    @Test
    void v2_addBlock_equalsElementwiseAdd_atEveryAlignment() {
        int n = 10_000;
        for (boolean nonFinite : new boolean[] {false, true}) {
        byte[] b = bf16Bytes(n + 8, 7, nonFinite);
        for (long first : new long[] {0, 1, 2, 3, 123_456_789L, 123_456_790L}) {
            for (int off : new int[] {0, 1, 3}) {
                for (int len : new int[] {0, 1, 3, 4, 5, n}) {
                    String at = "nonFinite " + nonFinite + " first " + first + " off " + off + " len " + len;
                    TensorSketch.V2Builder slow = new TensorSketch.V2Builder("t", 64);
                    TensorSketch.V2Builder block = new TensorSketch.V2Builder("t", 64);
                    double[] v = new double[len];
                    for (int i = 0; i < len; i++) {
                        int o = 2 * (off + i);
                        v[i] = Float.intBitsToFloat((b[o + 1] << 24) | ((b[o] & 0xff) << 16));
                        slow.add(first + i, v[i]);
                    }
                    block.addBlock(first, v, len);
                    double[] want = slow.build().buckets();
                    assertArrayEquals(want, block.build().buckets(), at);
                }
            }
        }
        }
    }

    @Test
    void v2_add_followsDocumentedHash_oneMix64PerFourElements() {
        int width = 512;
        long seed = Seeds.seed("sketch", "layer.w");
        for (long i : new long[] {0, 1, 2, 3, 4, 7, 1_000_003L, (1L << 40) + 2}) {
            TensorSketch.V2Builder b = new TensorSketch.V2Builder("layer.w", width);
            b.add(i, 1.5);
            long h = Seeds.mix64(seed + (i / 4 + 1) * 0x9E3779B97F4A7C15L);
            int lane = (int) ((h >>> (16 * (i % 4))) & 0xFFFF);
            double[] want = new double[width];
            want[lane & (width - 1)] = (lane & 0x8000) != 0 ? -1.5 : 1.5;
            assertArrayEquals(want, b.build().buckets(), "index " + i);
        }
    }

    @Test
    void v3_add_followsDocumentedHash_signPer64_rotatedBlocks() {
        long s = Seeds.seed("sketch", "layer.w");
        long t = Seeds.seed("sketch-rotation", "layer.w");
        for (int width : new int[] {2, 8, 64, 512}) {
            for (long i : new long[] {0, 1, 63, 64, 511, 512, 513, 1_000_003L, (1L << 40) + 2}) {
                TensorSketch.Builder b = new TensorSketch.Builder("layer.w", width);
                b.add(i, 1.5);
                long h = Seeds.mix64(s + (i / 64 + 1) * 0x9E3779B97F4A7C15L);
                boolean neg = ((h >>> (i % 64)) & 1) == 1;
                long block = i / width;
                long r = Long.remainderUnsigned(Seeds.mix64(t + (block + 1) * 0x9E3779B97F4A7C15L), width);
                double[] want = new double[width];
                want[(int) ((i % width + r) % width)] = neg ? -1.5 : 1.5;
                assertArrayEquals(want, b.build().buckets(), "width " + width + " index " + i);
            }
        }
    }

    @Test
    void v3_bulkPaths_equalElementwiseAdd_atEveryAlignment() {
        int n = 5_000;
        for (boolean nonFinite : new boolean[] {false, true}) {
            byte[] b = bf16Bytes(n + 8, 9, nonFinite);
            for (int width : new int[] {16, 64, 512}) {
                for (long first : new long[] {0, 1, 63, 64, 500, 123_456_789L}) {
                    for (int off : new int[] {0, 3}) {
                        for (int len : new int[] {0, 1, 63, 64, 65, 300, n}) {
                            String at = "nonFinite " + nonFinite + " width " + width + " first " + first + " off " + off + " len " + len;
                            TensorSketch.Builder slow = new TensorSketch.Builder("t", width);
                            TensorSketch.Builder block = new TensorSketch.Builder("t", width);
                            double[] v = new double[len];
                            for (int i = 0; i < len; i++) {
                                int o = 2 * (off + i);
                                v[i] = Float.intBitsToFloat((b[o + 1] << 24) | ((b[o] & 0xff) << 16));
                                slow.add(first + i, v[i]);
                            }
                            block.addBlock(first, v, len);
                            double[] want = slow.build().buckets();
                            assertArrayEquals(want, block.build().buckets(), at);
                        }
                    }
                }
            }
        }
    }

    @Test
    void v3_mergeOfChunks_equalsOneBuilder_andSketchIsLinear() {
        Random r = new Random(3);
        int n = 10_000;
        double[] a = new double[n], c = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextGaussian();
            c[i] = r.nextGaussian();
        }
        TensorSketch.Builder whole = new TensorSketch.Builder("m", 512);
        whole.addBlock(0, a, n);
        TensorSketch.Builder p1 = new TensorSketch.Builder("m", 512), p2 = new TensorSketch.Builder("m", 512);
        p1.addBlock(0, a, 4321);
        p2.addBlock(4321, java.util.Arrays.copyOfRange(a, 4321, n), n - 4321);
        p1.merge(p2);
        double[] x = whole.build().buckets(), y = p1.build().buckets();
        for (int i = 0; i < x.length; i++) assertEquals(x[i], y[i], 1e-5 * (1 + Math.abs(x[i])));
        // linear: sketch(a) - sketch(c) = sketch(a - c), up to float32 storage
        TensorSketch.Builder sc = new TensorSketch.Builder("m", 512), sd = new TensorSketch.Builder("m", 512);
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = a[i] - c[i];
        sc.addBlock(0, c, n);
        sd.addBlock(0, d, n);
        double[] xc = sc.build().buckets(), xd = sd.build().buckets();
        for (int i = 0; i < x.length; i++) assertEquals(xd[i], x[i] - xc[i], 1e-4 * (1 + Math.abs(xd[i])));
    }

    @Test
    void shape_isDepthOneAndPowerOfTwoWidth() {
        TensorSketch s = new TensorSketch.Builder("t", 512).build();
        assertEquals("tp-countsketch-v3", s.scheme());
        assertEquals("tp-countsketch-v2", new TensorSketch.V2Builder("t", 512).build().scheme());
        // recorded v2 sketches still parse
        assertEquals(512, new TensorSketch("tp-countsketch-v2", 512, 1, s.dataF32()).buckets().length);
        assertEquals(1, s.depth());
        assertEquals(512, s.buckets().length);
        assertThrows(IllegalArgumentException.class, () -> new TensorSketch.Builder("t", 384));
        assertThrows(IllegalArgumentException.class, () -> new TensorSketch.Builder("t", 65536));
        assertThrows(IllegalArgumentException.class, () -> new TensorSketch("tp-countsketch-v2", 512, 3, ""));
        assertThrows(IllegalArgumentException.class, () -> new TensorSketch("tp-countsketch-v1", 512, 1, ""));
    }
}
