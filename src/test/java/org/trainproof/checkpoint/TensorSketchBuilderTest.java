package org.trainproof.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fast bulk paths of the sketch builder equal the documented element-by-element {@code add}. */
class TensorSketchBuilderTest {
    private static byte[] bf16Bytes(int n, long seed) {
        Random r = new Random(seed);
        byte[] b = new byte[2 * n];
        for (int i = 0; i < n; i++) {
            float f = (float) (r.nextGaussian() * 0.02);
            if (i % 97 == 0) f = 0f;
            if (i % 101 == 0) f = -0f;
            if (i % 103 == 0) f = Float.NaN;
            if (i % 107 == 0) f = Float.NEGATIVE_INFINITY;
            short s = SafetensorsWriter.toBf16Bits(f);
            b[2 * i] = (byte) s;
            b[2 * i + 1] = (byte) (s >> 8);
        }
        return b;
    }

    @Test
    void addBf16_and_addBlock_equalElementwiseAdd() {
        int n = 10_000;
        long first = 123_456_789L;
        byte[] b = bf16Bytes(n, 7);
        for (int depth = 1; depth <= 4; depth++) {
            TensorSketch.Builder slow = new TensorSketch.Builder("t", 64, depth);
            TensorSketch.Builder bf = new TensorSketch.Builder("t", 64, depth);
            TensorSketch.Builder block = new TensorSketch.Builder("t", 64, depth);
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = Float.intBitsToFloat((b[2 * i + 1] << 24) | ((b[2 * i] & 0xff) << 16));
                slow.add(first + i, v[i]);
            }
            bf.addBf16(first, b, 0, n);
            block.addBlock(first, v, n);
            assertArrayEquals(slow.build().buckets(), bf.build().buckets(), "depth " + depth);
            assertArrayEquals(slow.build().buckets(), block.build().buckets(), "depth " + depth);
        }
    }
}
