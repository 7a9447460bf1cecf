package org.trainproof.analysis.lineage;

import java.util.SplittableRandom;

/**
 * Small MLP-like models for lineage tests: {@code layers} residual blocks, each with a norm gain
 * {@code layers.L.norm.weight} (d, LayerNorm-style near 1), an up projection
 * {@code layers.L.mlp.up.weight} (h × d) and a down projection {@code layers.L.mlp.down.weight}
 * (d × h), plus {@code final_norm.weight} (d) and {@code embed.weight} (vocab × d).
 */
final class SyntheticModels {
    final int d, h, layers, vocab;

    SyntheticModels(int d, int h, int layers, int vocab) {
        this.d = d;
        this.h = h;
        this.layers = layers;
        this.vocab = vocab;
    }

    static String norm(int l) {
        return "layers." + l + ".norm.weight";
    }

    static String up(int l) {
        return "layers." + l + ".mlp.up.weight";
    }

    static String down(int l) {
        return "layers." + l + ".mlp.down.weight";
    }

    /** A model trained "from scratch" with seed {@code seed}: gains 1 + N(0, 0.05²), Gaussian weights. */
    InMemoryTensorSource scratch(String label, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        InMemoryTensorSource m = new InMemoryTensorSource(label);
        m.put("embed.weight", new long[] {vocab, d}, gauss(rng, vocab * d, 0, 0.02));
        for (int l = 0; l < layers; l++) {
            m.put(norm(l), new long[] {d}, gauss(rng, d, 1.0, 0.05));
            m.put(up(l), new long[] {h, d}, gauss(rng, h * d, 0, 1 / Math.sqrt(d)));
            m.put(down(l), new long[] {d, h}, gauss(rng, d * h, 0, 1 / Math.sqrt(h)));
        }
        m.put("final_norm.weight", new long[] {d}, gauss(rng, d, 1.0, 0.05));
        return m;
    }

    /**
     * A derived from {@code a}: every matrix plus noise of relative size {@code noise}; with
     * {@code permute}, each block's hidden units permuted consistently (up rows and down columns);
     * with {@code resetGains}, every norm gain set to exactly 1 (erasing the W8 signal).
     */
    InMemoryTensorSource derived(InMemoryTensorSource a, String label, long seed, double noise, boolean permute, boolean resetGains) {
        SplittableRandom rng = new SplittableRandom(seed);
        InMemoryTensorSource m = new InMemoryTensorSource(label);
        m.put("embed.weight", new long[] {vocab, d}, addNoise(a.values("embed.weight"), noise * 0.02, rng));
        for (int l = 0; l < layers; l++) {
            double[] g = a.values(norm(l));
            m.put(norm(l), new long[] {d}, resetGains ? fill(d, 1.0) : addNoise(g, noise * 0.05, rng));
            int[] p = permute ? LineageNumerics.randomPermutation(h, rng) : TensorSource.identity(h);
            double[] upA = a.values(up(l)), downA = a.values(down(l));
            double[] upC = new double[h * d], downC = new double[d * h];
            for (int i = 0; i < h; i++) System.arraycopy(upA, p[i] * d, upC, i * d, d);
            for (int r = 0; r < d; r++) for (int i = 0; i < h; i++) downC[r * h + i] = downA[r * h + p[i]];
            m.put(up(l), new long[] {h, d}, addNoise(upC, noise / Math.sqrt(d), rng));
            m.put(down(l), new long[] {d, h}, addNoise(downC, noise / Math.sqrt(h), rng));
        }
        double[] fg = a.values("final_norm.weight");
        m.put("final_norm.weight", new long[] {d}, resetGains ? fill(d, 1.0) : addNoise(fg, noise * 0.05, rng));
        return m;
    }

    static double[] gauss(SplittableRandom rng, int n, double mean, double sd) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = mean + sd * normal(rng);
        return x;
    }

    static double normal(SplittableRandom rng) {
        double u = rng.nextDouble(), v = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
    }

    private static double[] addNoise(double[] x, double sd, SplittableRandom rng) {
        double[] y = x.clone();
        for (int i = 0; i < y.length; i++) y[i] += sd * normal(rng);
        return y;
    }

    private static double[] fill(int n, double v) {
        double[] x = new double[n];
        java.util.Arrays.fill(x, v);
        return x;
    }
}
