package org.trainproof.analysis;

import java.util.ArrayList;
import java.util.List;
import org.trainproof.checkpoint.CoordinateSample;
import org.trainproof.checkpoint.TensorManifest;
import org.trainproof.checkpoint.TensorSketch;
import org.trainproof.checkpoint.TensorStats;

/**
 * A tensor's manifest entry built from values in memory, as a checkpoint manifest would record it
 * (stats, exact values of small 1-D tensors, the name-seeded sample, the sketch), for analysis tests.
 */
final class InMemoryTensor {
    private InMemoryTensor() {}

    static TensorManifest of(String name, String dtype, List<Long> shape, double[] x, int sampleK, String file, long begin, long end) {
        long[] pos = CoordinateSample.positions(name, x.length, sampleK);
        double[] smp = new double[pos.length];
        for (int i = 0; i < pos.length; i++) smp[i] = x[(int) pos[i]];
        TensorSketch.Builder sk = new TensorSketch.Builder(name, TensorSketch.DEFAULT_WIDTH);
        double sum = 0, sq = 0, mn = Double.POSITIVE_INFINITY, mx = Double.NEGATIVE_INFINITY;
        long zeros = 0;
        for (int i = 0; i < x.length; i++) {
            sk.add(i, x[i]);
            sum += x[i];
            sq += x[i] * x[i];
            mn = Math.min(mn, x[i]);
            mx = Math.max(mx, x[i]);
            if (x[i] == 0) zeros++;
        }
        double mean = sum / x.length;
        TensorStats st = new TensorStats(x.length, mean, Math.sqrt(Math.max(0, sq / x.length - mean * mean)), mn, mx, Math.sqrt(sq), zeros, 0, 0, 0);
        List<Double> vals = null;
        if (shape.size() == 1 && x.length <= 4096) {
            vals = new ArrayList<>();
            for (double d : x) vals.add(d);
        }
        return new TensorManifest(name, dtype, shape, file, begin, end, "00".repeat(32), st, vals, CoordinateSample.of(smp), sk.build());
    }
}
