package org.trainproof.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fused F32 pass ({@link F32Summary}, used by the manifest for F32 tensors) gives exactly the
 * statistics and sketch of the generic decode path (element decode, {@link StatsAccumulator#addBlock},
 * {@link TensorSketch.Builder#addBlock}), including NaN, ±Inf, −0, subnormals, a length that is not a
 * multiple of the block, and a non-zero global start (a shard slice's sketch positions).
 */
class F32SummaryTest {
    @Test
    void fusedPass_equalsGenericPath_bitForBit() {
        Random r = new Random(20261205);
        for (int trial = 0; trial < 12; trial++) {
            int m = 1 + r.nextInt(3 * F32Summary.BLOCK + 17);
            long e0 = trial % 3 == 0 ? 0 : r.nextInt(1 << 20);
            ByteBuffer buf = ByteBuffer.allocateDirect(m * 4).order(ByteOrder.LITTLE_ENDIAN);
            double[] x = new double[m];
            for (int i = 0; i < m; i++) {
                float f;
                switch (trial % 4 == 3 ? r.nextInt(8) : 7) {
                    case 0 -> f = Float.NaN;
                    case 1 -> f = Float.POSITIVE_INFINITY;
                    case 2 -> f = Float.NEGATIVE_INFINITY;
                    case 3 -> f = -0.0f;
                    case 4 -> f = Float.MIN_VALUE * r.nextInt(1000);
                    case 5 -> f = Float.intBitsToFloat(r.nextInt());
                    default -> f = (float) (r.nextGaussian() * 0.02);
                }
                buf.putFloat(i * 4, f);
                x[i] = f;
            }
            StatsAccumulator fastStats = new StatsAccumulator();
            TensorSketch.Builder fastSketch = new TensorSketch.Builder("layer.weight", 512);
            new F32Summary().add(buf, 0, m, e0, fastStats, fastSketch);

            StatsAccumulator slowStats = new StatsAccumulator();
            TensorSketch.Builder slowSketch = new TensorSketch.Builder("layer.weight", 512);
            for (int j = 0; j < m; j += F32Summary.BLOCK) {
                int n = Math.min(F32Summary.BLOCK, m - j);
                double[] block = java.util.Arrays.copyOfRange(x, j, j + n);
                slowStats.addBlock(block, n);
                slowSketch.addBlock(e0 + j, block, n);
            }
            assertEquals(slowStats.toStats(), fastStats.toStats(), "stats, trial " + trial + " (m " + m + ")");
            assertEquals(slowSketch.build(), fastSketch.build(), "sketch, trial " + trial + " (m " + m + ", e0 " + e0 + ")");
        }
    }
}
