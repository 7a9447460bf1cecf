package org.trainproof.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fast bulk paths of the sketch builder equal the documented element-by-element {@code add}, and
 * {@code add} follows the documented {@code tp-countsketch-v2} hash (re-derived here from
 * {@link Seeds#mix64}, not from the builder).
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
    void addBf16_addBf16Counting_addBlock_equalElementwiseAdd_atEveryAlignment() {
        int n = 10_000;
        // finite-only data takes the unmasked fast loop; data with NaN/±Inf the masked redo
        for (boolean nonFinite : new boolean[] {false, true}) {
        byte[] b = bf16Bytes(n + 8, 7, nonFinite);
        for (long first : new long[] {0, 1, 2, 3, 123_456_789L, 123_456_790L}) {
            for (int off : new int[] {0, 1, 3}) {
                for (int len : new int[] {0, 1, 3, 4, 5, n}) {
                    String at = "nonFinite " + nonFinite + " first " + first + " off " + off + " len " + len;
                    TensorSketch.Builder slow = new TensorSketch.Builder("t", 64);
                    TensorSketch.Builder bf = new TensorSketch.Builder("t", 64);
                    TensorSketch.Builder counting = new TensorSketch.Builder("t", 64);
                    TensorSketch.Builder block = new TensorSketch.Builder("t", 64);
                    double[] v = new double[len];
                    int[] expectHist = new int[1 << 16];
                    for (int i = 0; i < len; i++) {
                        int o = 2 * (off + i);
                        v[i] = Float.intBitsToFloat((b[o + 1] << 24) | ((b[o] & 0xff) << 16));
                        slow.add(first + i, v[i]);
                    }
                    ElementDecoder.histogram(Dtype.BF16, b, off, len, expectHist);
                    int[] hist = new int[1 << 16];
                    bf.addBf16(first, b, 2 * off, len);
                    counting.addBf16Counting(first, b, 2 * off, len, hist);
                    block.addBlock(first, v, len);
                    double[] want = slow.build().buckets();
                    assertArrayEquals(want, bf.build().buckets(), at);
                    assertArrayEquals(want, counting.build().buckets(), at);
                    assertArrayEquals(want, block.build().buckets(), at);
                    assertArrayEquals(expectHist, hist, at);
                }
            }
        }
        }
    }

    @Test
    void add_followsDocumentedHash_oneMix64PerFourElements() {
        int width = 512;
        long seed = Seeds.seed("sketch", "layer.w");
        for (long i : new long[] {0, 1, 2, 3, 4, 7, 1_000_003L, (1L << 40) + 2}) {
            TensorSketch.Builder b = new TensorSketch.Builder("layer.w", width);
            b.add(i, 1.5);
            long h = Seeds.mix64(seed + (i / 4 + 1) * 0x9E3779B97F4A7C15L);
            int lane = (int) ((h >>> (16 * (i % 4))) & 0xFFFF);
            double[] want = new double[width];
            want[lane & (width - 1)] = (lane & 0x8000) != 0 ? -1.5 : 1.5;
            assertArrayEquals(want, b.build().buckets(), "index " + i);
        }
    }

    @Test
    void shape_isDepthOneAndPowerOfTwoWidth() {
        TensorSketch s = new TensorSketch.Builder("t", 512).build();
        assertEquals("tp-countsketch-v2", s.scheme());
        assertEquals(1, s.depth());
        assertEquals(512, s.buckets().length);
        assertThrows(IllegalArgumentException.class, () -> new TensorSketch.Builder("t", 384));
        assertThrows(IllegalArgumentException.class, () -> new TensorSketch.Builder("t", 65536));
        assertThrows(IllegalArgumentException.class, () -> new TensorSketch("tp-countsketch-v2", 512, 3, ""));
        assertThrows(IllegalArgumentException.class, () -> new TensorSketch("tp-countsketch-v1", 512, 1, ""));
    }
}
