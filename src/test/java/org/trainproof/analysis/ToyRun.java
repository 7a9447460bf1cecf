package org.trainproof.analysis;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.trainproof.analysis.stats.InitDistributions;
import org.trainproof.checkpoint.CheckpointManifest;
import org.trainproof.checkpoint.CoordinateSample;
import org.trainproof.checkpoint.TensorManifest;
import org.trainproof.checkpoint.TensorSketch;
import org.trainproof.checkpoint.TensorStats;

/**
 * A genuine AdamW trajectory on a noisy quadratic (test data generator): parameters "w1" (48×32,
 * N(0, 0.02)), "w2" (32×48, N(0, 0.02)), "ln.weight" (32, ones, no decay), "ln.bias" (32, zeros,
 * no decay). Loss 0.5 Σ a_i (θ_i − θ*_i)², a_i log-uniform in [0.1, 10], θ* ~ N(0, 0.05), gradients with
 * N(0, noise²) minibatch noise. PyTorch AdamW update order (decoupled decay, bias correction), float32
 * parameters. Checkpoints keep the full values so variants (splice, fabrication, reset) can be built.
 */
final class ToyRun {
    static final String[] NAMES = {"w1", "w2", "ln.weight", "ln.bias"};
    static final int[][] SHAPES = {{48, 32}, {32, 48}, {32}, {32}};
    static final int SAMPLE_K = 256;

    double b1 = 0.9, b2 = 0.95, eps = 1e-8, wd = 0.1, peak = 3e-3, minLr = 3e-4, noise = 1.0;
    long warmup = 10, total = 300;
    String shape = "cosine";
    int every = 20;
    boolean bf16 = false;

    /** step → tensor name → values. */
    final TreeMap<Long, Map<String, double[]>> saved = new TreeMap<>();

    ToyRun() {}

    LrScheduleModel schedule() {
        return LrScheduleModel.of(RunClaims.parse(config())).model();
    }

    ObjectNode config() {
        ObjectMapper m = new ObjectMapper();
        ObjectNode c = m.createObjectNode();
        c.put("vocab_size", 1000);
        c.put("loss_units", "nats");
        ObjectNode o = c.putObject("optimizer");
        o.put("name", "adamw");
        o.putArray("betas").add(b1).add(b2);
        o.put("eps", eps);
        o.put("weight_decay", wd);
        o.putArray("no_decay").add("ln.*");
        ObjectNode s = c.putObject("lr_schedule");
        s.put("shape", shape);
        s.put("peak_lr", peak);
        s.put("min_lr", minLr);
        s.put("warmup_steps", warmup);
        s.put("total_steps", total);
        var init = c.putArray("init");
        init.addObject().put("pattern", "ln.weight").put("distribution", "ones");
        init.addObject().put("pattern", "ln.bias").put("distribution", "zeros");
        init.addObject().put("pattern", "w*").put("distribution", "normal").put("std", 0.02);
        c.put("batch_size", 8);
        c.put("seq_len", 64);
        return c;
    }

    static Map<String, double[]> freshInit(SplittableRandom rng) {
        Map<String, double[]> p = new LinkedHashMap<>();
        for (int k = 0; k < NAMES.length; k++) {
            int n = count(k);
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = NAMES[k].equals("ln.weight") ? 1.0 : NAMES[k].equals("ln.bias") ? 0.0 : (float) (0.02 * rng.nextGaussian());
            }
            p.put(NAMES[k], v);
        }
        return p;
    }

    static int count(int k) {
        int n = 1;
        for (int d : SHAPES[k]) n *= d;
        return n;
    }

    /**
     * Trains from {@code init} for steps [start, end), saving at multiples of {@code every}, at start and
     * at {@code extraSaves}. {@code resetAt}: steps at which the optimizer state is re-initialised.
     */
    ToyRun train(long seed, Map<String, double[]> init, long start, long end, long[] extraSaves, long... resetAt) {
        SplittableRandom rng = new SplittableRandom(seed);
        SplittableRandom targetRng = new SplittableRandom(12345); // one task for every run
        LrScheduleModel lr = schedule();
        Map<String, double[]> p = new LinkedHashMap<>(), m = new LinkedHashMap<>(), v = new LinkedHashMap<>(), a = new LinkedHashMap<>(), star = new LinkedHashMap<>();
        // Each run finds its own optimum up to a hidden-unit permutation (as real networks do): the 48
        // hidden units of w1 (rows) and w2 (columns) are permuted by the run's seed; ln.* is shared.
        int[] perm = new int[48];
        for (int i = 0; i < 48; i++) perm[i] = i;
        SplittableRandom pr = new SplittableRandom(seed * 31 + 7);
        for (int i = 47; i > 0; i--) {
            int j = pr.nextInt(i + 1), tmp = perm[i];
            perm[i] = perm[j];
            perm[j] = tmp;
        }
        for (int k = 0; k < NAMES.length; k++) {
            String nme = NAMES[k];
            int n = count(k);
            p.put(nme, init.get(nme).clone());
            m.put(nme, new double[n]);
            v.put(nme, new double[n]);
            double[] aa = new double[n], ss = new double[n];
            for (int i = 0; i < n; i++) {
                aa[i] = Math.exp(Math.log(0.1) + targetRng.nextDouble() * Math.log(100));
                ss[i] = (nme.equals("ln.weight") ? 1.0 : 0.0) + 0.05 * targetRng.nextGaussian();
            }
            if (nme.equals("w1") || nme.equals("w2")) {
                double[] pa = new double[n], ps = new double[n];
                for (int i = 0; i < n; i++) {
                    int src = nme.equals("w1") ? perm[i / 32] * 32 + i % 32 : (i / 48) * 48 + perm[i % 48];
                    pa[i] = aa[src];
                    ps[i] = ss[src];
                }
                aa = pa;
                ss = ps;
            }
            a.put(nme, aa);
            star.put(nme, ss);
        }
        long tState = 0;
        java.util.Set<Long> extra = new java.util.HashSet<>();
        for (long e : extraSaves) extra.add(e);
        java.util.Set<Long> resets = new java.util.HashSet<>();
        for (long r : resetAt) resets.add(r);
        save(start, p);
        for (long t = start; t < end; t++) {
            if (resets.contains(t)) {
                tState = 0;
                for (String nme : NAMES) {
                    java.util.Arrays.fill(m.get(nme), 0);
                    java.util.Arrays.fill(v.get(nme), 0);
                }
            }
            tState++;
            double eta = lr.at(t);
            for (String nme : NAMES) {
                double[] th = p.get(nme), mm = m.get(nme), vv = v.get(nme), aa = a.get(nme), ss = star.get(nme);
                double lam = nme.startsWith("ln.") ? 0 : wd;
                for (int i = 0; i < th.length; i++) {
                    double g = aa[i] * (th[i] - ss[i]) + noise * rng.nextGaussian();
                    th[i] = (float) (th[i] * (1 - eta * lam));
                    mm[i] = b1 * mm[i] + (1 - b1) * g;
                    vv[i] = b2 * vv[i] + (1 - b2) * g * g;
                    double mh = mm[i] / (1 - Math.pow(b1, tState)), vh = vv[i] / (1 - Math.pow(b2, tState));
                    th[i] = (float) (th[i] - eta * mh / (Math.sqrt(vh) + eps));
                }
            }
            long s = t + 1;
            if (s % every == 0 || extra.contains(s) || s == end) save(s, p);
        }
        return this;
    }

    void save(long step, Map<String, double[]> p) {
        Map<String, double[]> copy = new LinkedHashMap<>();
        for (var e : p.entrySet()) {
            double[] x = e.getValue().clone();
            if (bf16) for (int i = 0; i < x.length; i++) x[i] = InitDistributions.toBf16(x[i]);
            copy.put(e.getKey(), x);
        }
        saved.put(step, copy);
    }

    static ToyRun genuine(long seed) {
        ToyRun r = new ToyRun();
        return r.train(seed, freshInit(new SplittableRandom(seed ^ 0x5eed)), 0, r.total, new long[] {1});
    }

    List<StepCheckpoint> checkpoints() {
        List<StepCheckpoint> out = new ArrayList<>();
        for (var e : saved.entrySet()) out.add(new StepCheckpoint(e.getKey(), manifest(e.getValue(), bf16 ? "BF16" : "F32")));
        return out;
    }

    static CheckpointManifest manifest(Map<String, double[]> p, String dtype) {
        List<TensorManifest> ts = new ArrayList<>();
        long off = 0;
        for (int k = 0; k < NAMES.length; k++) {
            String nme = NAMES[k];
            double[] x = p.get(nme);
            List<Long> shape = new ArrayList<>();
            for (int d : SHAPES[k]) shape.add((long) d);
            long bytes = (long) x.length * (dtype.equals("BF16") ? 2 : 4);
            ts.add(InMemoryTensor.of(nme, dtype, shape, x, SAMPLE_K, "model.safetensors", off, off + bytes));
            off += bytes;
        }
        return new CheckpointManifest("safetensors", "00".repeat(32), List.of(), ts);
    }

    AnalysisInput input() {
        return new AnalysisInput(RunClaims.parse(config()), Map.of(), Trajectory.fromLedger(checkpoints()), List.of(), null);
    }
}
