package org.trainproof.analysis;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** Derived, spliced, fabricated and resumed variants of {@link ToyRun}, built the way the fixtures issue describes. */
final class Scenarios {
    private Scenarios() {}

    /** Genuine until {@code at}; from there on the checkpoints of an independent genuine run. */
    static ToyRun spliced(long seed, long at) {
        ToyRun a = ToyRun.genuine(seed), b = ToyRun.genuine(seed + 1_000_003);
        ToyRun out = new ToyRun();
        for (var e : a.saved.entrySet()) if (e.getKey() < at) out.saved.put(e.getKey(), e.getValue());
        for (var e : b.saved.entrySet()) if (e.getKey() >= at) out.saved.put(e.getKey(), e.getValue());
        return out;
    }

    /** A genuine run's final weights, hidden noise added, fine-tuned and recorded as if from step 0. */
    static ToyRun derived(long seed) {
        ToyRun parent = ToyRun.genuine(seed + 77);
        Map<String, double[]> start = new LinkedHashMap<>();
        SplittableRandom rng = new SplittableRandom(seed);
        for (var e : parent.saved.lastEntry().getValue().entrySet()) {
            double[] x = e.getValue().clone();
            for (int i = 0; i < x.length; i++) x[i] = (float) (x[i] + 0.001 * rng.nextGaussian());
            start.put(e.getKey(), x);
        }
        ToyRun r = new ToyRun();
        return r.train(seed, start, 0, r.total, new long[] {1});
    }

    /**
     * The Proof-of-Learning spoof (Zhang et al. / Fang et al.): an init whose values are fresh N(0, 0.02)
     * draws arranged in the rank order of a genuine run's final weights (norm gains 1 and biases 0 kept
     * exact), then checkpoints on the straight line from it to those final weights.
     */
    static ToyRun fabricated(long seed) {
        ToyRun g = ToyRun.genuine(seed + 99);
        Map<String, double[]> fin = g.saved.lastEntry().getValue();
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, double[]> w0 = ToyRun.freshInit(rng);
        for (String n : new String[] {"w1", "w2"}) {
            double[] target = fin.get(n), draws = w0.get(n).clone();
            Arrays.sort(draws);
            Integer[] idx = new Integer[target.length];
            for (int i = 0; i < idx.length; i++) idx[i] = i;
            Arrays.sort(idx, (x, y) -> Double.compare(target[x], target[y]));
            double[] matched = new double[target.length];
            for (int r = 0; r < idx.length; r++) matched[idx[r]] = draws[r];
            w0.put(n, matched);
        }
        return straightLine(g.saved.keySet(), w0, fin, 0, null);
    }

    /**
     * Checkpoints at {@code steps} on the straight line from {@code w0} to {@code fin} by step, float32. With
     * {@code noise} &gt; 0, every checkpoint but the first and last also gets independent N(0, sd²) per element,
     * sd = noise × the RMS of one {@link ToyRun#every}-step move along the line (drawn from {@code rng}).
     */
    static ToyRun straightLine(java.util.Collection<Long> steps, Map<String, double[]> w0, Map<String, double[]> fin, double noise,
            SplittableRandom rng) {
        ToyRun out = new ToyRun();
        long tEnd = java.util.Collections.max(steps);
        for (long s : steps) {
            double f = (double) s / tEnd;
            boolean noisy = noise > 0 && s != 0 && s != tEnd;
            Map<String, double[]> p = new LinkedHashMap<>();
            for (String n : ToyRun.NAMES) {
                double[] a = w0.get(n), b = fin.get(n), x = new double[a.length];
                double move = 0;
                if (noisy) for (int i = 0; i < a.length; i++) move += (b[i] - a[i]) * (b[i] - a[i]);
                double sd = noise * Math.sqrt(move / a.length) * out.every / tEnd;
                for (int i = 0; i < a.length; i++) x[i] = (float) (noisy ? a[i] + f * (b[i] - a[i]) + sd * rng.nextGaussian() : a[i] + f * (b[i] - a[i]));
                p.put(n, x);
            }
            out.saved.put(s, p);
        }
        return out;
    }

    /** Genuine run whose optimizer state is re-initialised at step {@code at} (or kept, if honest); saves at at and at+1. */
    static ToyRun resumed(long seed, long at, boolean reset) {
        ToyRun r = new ToyRun();
        r.train(seed, ToyRun.freshInit(new SplittableRandom(seed ^ 0x5eed)), 0, r.total, new long[] {1, at, at + 1},
                reset ? new long[] {at} : new long[0]);
        return r;
    }
}
