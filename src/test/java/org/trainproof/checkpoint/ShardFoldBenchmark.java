package org.trainproof.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Rank-0 fold cost of {@code record --shard-manifest} for R ranks (not part of the suite):
 * {@code java -cp target/test-classes:target/classes:$(deps) org.trainproof.checkpoint.ShardFoldBenchmark 1000 100000}.
 * Each rank's manifest holds T=8 tensors, each a row slice of a global [R·4, 1024] F32 tensor split across
 * all ranks, with stats, its share of the 256-position sample and a width-512 sketch, as inspect writes
 * them ({@code R:T} sets another T). Timed: parsing the R manifest JSON texts, the fold, and the folded manifest to a JSON tree (what
 * record does before signing), best of 3 after one warm-up.
 */
public final class ShardFoldBenchmark {
    static final int ROWS = 4, COLS = 1024;
    static int T = 8;

    public static void main(String[] args) throws Exception {
        ObjectMapper json = new ObjectMapper();
        for (String a : args.length == 0 ? new String[] {"1000"} : args) {
            String[] rt = a.split(":");
            int ranks = Integer.parseInt(rt[0]);
            T = rt.length > 1 ? Integer.parseInt(rt[1]) : 8;
            List<byte[]> texts = new ArrayList<>(ranks);
            long totalBytes = 0;
            for (int r = 0; r < ranks; r++) {
                byte[] s = json.writeValueAsBytes(shard(r, ranks));
                totalBytes += s.length;
                texts.add(s);
            }
            var mx = java.lang.management.ManagementFactory.getThreadMXBean();
            long bestCpu = Long.MAX_VALUE;
            long best = Long.MAX_VALUE;
            int tensors = 0;
            for (int rep = 0; rep < 3; rep++) {
                long t0 = System.nanoTime();
                long c0 = mx.getCurrentThreadCpuTime();
                List<ShardFold.Shard> shards = new ArrayList<>(ranks);
                for (int r = 0; r < ranks; r++) shards.add(new ShardFold.Shard("rank" + r, json.readValue(texts.get(r), CheckpointManifest.class)));
                CheckpointManifest folded = ShardFold.fold(shards);
                var tree = json.valueToTree(folded);
                tensors = tree.path("tensors").size();
                long dt = System.nanoTime() - t0;
                long dc = mx.getCurrentThreadCpuTime() - c0;
                if (rep > 0) {
                    best = Math.min(best, dt);
                    bestCpu = Math.min(bestCpu, dc);
                }
            }
            System.out.printf("ranks %,d: %,d manifest bytes, %d tensors x %,d slices: parse+fold+tree wall %.3f s, thread CPU %.3f s (best of 2 after a warm-up)%n",
                    ranks, totalBytes, tensors, ranks, best / 1e9, bestCpu / 1e9);
        }
    }

    static CheckpointManifest shard(int rank, int ranks) {
        SplittableRandom rnd = new SplittableRandom(rank);
        List<TensorManifest> ts = new ArrayList<>();
        long globalRows = (long) ranks * ROWS;
        for (int t = 0; t < T; t++) {
            String name = "layer" + t + ".weight";
            long base = (long) rank * ROWS * COLS;
            long[] global = CoordinateSample.positions(name, globalRows * COLS, ManifestOptions.DEFAULT_SAMPLE_K);
            int k = 0;
            for (long p : global) if (p >= base && p < base + ROWS * COLS) k++;
            double[] sample = new double[k];
            for (int i = 0; i < k; i++) sample[i] = rnd.nextGaussian();
            double[] buckets = new double[TensorSketch.DEFAULT_WIDTH];
            TensorSketch.Builder b = new TensorSketch.Builder(name, TensorSketch.DEFAULT_WIDTH);
            for (int i = 0; i < 64; i++) b.add(base + i, rnd.nextGaussian());
            TensorStats st = new TensorStats(ROWS * COLS, rnd.nextGaussian() * 1e-3, 0.02 + rnd.nextDouble() * 1e-3, -0.1, 0.1,
                    0.02 * Math.sqrt(ROWS * COLS), 0, 0, 0, 0);
            ts.add(new TensorManifest(name, "F32", List.of((long) ROWS, (long) COLS), "rank" + rank + ".safetensors",
                    (long) t * ROWS * COLS * 4, (long) (t + 1) * ROWS * COLS * 4, hex(rnd), st, null, CoordinateSample.of(sample), b.build(),
                    new TensorSlice(List.of((long) rank * ROWS, 0L), List.of(globalRows, (long) COLS)), null));
            assert buckets.length > 0;
        }
        FileManifest f = new FileManifest("rank" + rank + ".safetensors", 8 + 4096 + (long) T * ROWS * COLS * 4, hex(rnd), hex(rnd), null, null);
        return new CheckpointManifest("safetensors", f.root(), List.of(f), ts, rank, ranks, "node" + rank / 8);
    }

    static String hex(SplittableRandom rnd) {
        StringBuilder s = new StringBuilder(64);
        for (int i = 0; i < 4; i++) s.append(String.format("%016x", rnd.nextLong()));
        return s.toString();
    }
}
