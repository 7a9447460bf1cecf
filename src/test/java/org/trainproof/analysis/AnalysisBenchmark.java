package org.trainproof.analysis;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.trainproof.checkpoint.CheckpointManifest;
import org.trainproof.checkpoint.CoordinateSample;
import org.trainproof.checkpoint.TensorManifest;
import org.trainproof.checkpoint.TensorStats;

/**
 * Benchmark (not run by the suite): the analysis of 1,000 checkpoints of a 50-tensor model (256-value
 * samples) and 1,000,000 metric records, from manifests in memory. Run:
 * {@code java -cp target/classes:target/test-classes:$(cat cp.txt) org.trainproof.analysis.AnalysisBenchmark}.
 */
public final class AnalysisBenchmark {
    public static void main(String[] args) {
        int nCk = 1000, nT = 50, k = 256;
        SplittableRandom rng = new SplittableRandom(1);
        double[][] cur = new double[nT][k];
        for (double[] c : cur) for (int i = 0; i < k; i++) c[i] = 0.02 * rng.nextGaussian();
        List<StepCheckpoint> cps = new ArrayList<>();
        for (int c = 0; c < nCk; c++) {
            List<TensorManifest> ts = new ArrayList<>();
            for (int t = 0; t < nT; t++) {
                if (c > 0) for (int i = 0; i < k; i++) cur[t][i] = (float) (cur[t][i] * (1 - 1e-4 * 0.1 * 100) - 1e-4 * 20 * rng.nextGaussian() * 0.3);
                ts.add(new TensorManifest("layer." + t + ".weight", "F32", List.of(1024L, 1024L), "f", 0, 4L << 20, "00".repeat(32),
                        new TensorStats(1 << 20, 0.0, 0.02, -0.1, 0.1, 20.0, 0, 0, 0, 0), null, CoordinateSample.of(cur[t].clone()), null));
            }
            cps.add(new StepCheckpoint(c * 100L, new CheckpointManifest("safetensors", "00", List.of(), ts)));
        }
        long[] steps = new long[1_000_000];
        double[] loss = new double[steps.length], time = new double[steps.length], tok = new double[steps.length];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = i / 10;
            loss[i] = 10 - i * 1e-6;
            time[i] = i * 0.01;
            tok[i] = (i / 10) * 8 * 1024.0;
        }
        var cfg = new ObjectMapper().createObjectNode().put("vocab_size", 50257).put("batch_size", 8).put("seq_len", 1024);
        var o = cfg.putObject("optimizer").put("name", "adamw").put("weight_decay", 0.1);
        o.putArray("betas").add(0.9).add(0.95);
        cfg.putObject("lr_schedule").put("shape", "cosine").put("peak_lr", 1e-4).put("min_lr", 1e-5).put("warmup_steps", 1000).put("total_steps", 100000);
        cfg.putArray("init").addObject().put("pattern", "*").put("distribution", "normal").put("std", 0.02);
        Map<String, MetricSeries> m = Map.of(MetricSeries.TRAIN_LOSS, new MetricSeries(MetricSeries.TRAIN_LOSS, steps, loss, time, false, 0),
                MetricSeries.TOKENS, new MetricSeries(MetricSeries.TOKENS, steps, tok));
        for (int rep = 0; rep < 3; rep++) {
            long t0 = System.nanoTime();
            var v = ConsistencyAnalysis.standard().run(new AnalysisInput(RunClaims.parse(cfg), m, Trajectory.fromLedger(cps), List.of(), null));
            System.out.printf("analysis of %d checkpoints x %d tensors + %d metric records: %.2f s -> %s%n", nCk, nT, steps.length,
                    (System.nanoTime() - t0) / 1e9, v.outcome());
            for (var c : v.checks()) System.out.println("  " + c.id() + " " + c.status() + " " + c.detail());
        }
    }
}
