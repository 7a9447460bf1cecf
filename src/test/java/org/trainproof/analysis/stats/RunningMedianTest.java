package org.trainproof.analysis.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RunningMedianTest {
    /** Reference: the median of each clipped window, computed from scratch. */
    private static double[] naive(double[] x, int h) {
        double[] m = new double[x.length];
        for (int i = 0; i < x.length; i++) m[i] = ChangePoint.median(Arrays.copyOfRange(x, Math.max(0, i - h), Math.min(x.length, i + h + 1)));
        return m;
    }

    @Test
    void centred_equalsNaiveWindows_atEverySmallSize() {
        SplittableRandom rng = new SplittableRandom(42);
        int cases = 0;
        for (int n = 0; n <= 40; n++) {
            for (int h = 0; h <= 12; h++) {
                double[] x = new double[n];
                // Ties included: values from a small set half the time.
                boolean ties = rng.nextBoolean();
                for (int i = 0; i < n; i++) x[i] = ties ? rng.nextInt(4) : rng.nextGaussian();
                assertArrayEquals(naive(x, h), RunningMedian.centred(x, h), 0.0, "n " + n + " h " + h);
                cases++;
            }
        }
        assertEquals(41 * 13, cases);
    }
}
