package org.trainproof.checkpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Hashing time of one checkpoint by R = 1 process against R = 2 ranks each hashing its half (not part
 * of the suite): {@code java -Xmx2g -cp target/test-classes:target/classes:$(deps)
 * org.trainproof.checkpoint.ShardHashBenchmark [TENSORS ROWS COLS]} (default 8 × [2048, 2048] F32, 128 MiB; 4th argument: repetitions, default 4).
 * The same F32 values are written once as one safetensors file and once as two row-sliced shard files
 * ({@code trainproof.slices}); the files are in the page cache (just written), so this measures the
 * hashing CPU (SHA-256, stats, sample, sketch), not disk. R = 1: {@code Manifests.of} on the whole file
 * with 1 worker thread. R = 2: two threads at once, one per rank, each {@code Manifests.of} on its shard
 * with 1 worker thread (as 2 ranks with a core each), then {@link ShardFold#fold}; wall = both ranks
 * done + fold. Best of 3 after one warm-up; process CPU (all JVM threads, GC included) and each rank's wall are printed too.
 */
public final class ShardHashBenchmark {
    public static void main(String[] args) throws Exception {
        int tensors = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : 2048;
        int cols = args.length > 2 ? Integer.parseInt(args[2]) : 2048;
        int reps = args.length > 3 ? Integer.parseInt(args[3]) : 4;
        Path dir = Files.createTempDirectory("shard-hash-bench");
        Path whole = dir.resolve("whole.safetensors"), r0 = dir.resolve("rank0.safetensors"), r1 = dir.resolve("rank1.safetensors");
        SafetensorsWriter w = new SafetensorsWriter(), s0 = new SafetensorsWriter(), s1 = new SafetensorsWriter();
        StringBuilder sl0 = new StringBuilder("{"), sl1 = new StringBuilder("{");
        SplittableRandom rnd = new SplittableRandom(7);
        int half = rows / 2;
        for (int t = 0; t < tensors; t++) {
            String n = "layer." + t + ".weight";
            double[] v = new double[rows * cols];
            for (int i = 0; i < v.length; i++) v[i] = (float) (rnd.nextGaussian() * 0.02);
            w.tensor(n, Dtype.F32, new long[] {rows, cols}, v);
            s0.tensor(n, Dtype.F32, new long[] {half, cols}, java.util.Arrays.copyOfRange(v, 0, half * cols));
            s1.tensor(n, Dtype.F32, new long[] {rows - half, cols}, java.util.Arrays.copyOfRange(v, half * cols, v.length));
            String sep = t == 0 ? "" : ",";
            sl0.append(sep).append("\"").append(n).append("\":{\"offsets\":[0,0],\"global_shape\":[").append(rows).append(',').append(cols).append("]}");
            sl1.append(sep).append("\"").append(n).append("\":{\"offsets\":[").append(half).append(",0],\"global_shape\":[").append(rows).append(',').append(cols).append("]}");
        }
        w.write(whole);
        s0.metadata(TensorSlice.METADATA_KEY, sl0.append('}').toString()).write(r0);
        s1.metadata(TensorSlice.METADATA_KEY, sl1.append('}').toString()).write(r1);
        w = s0 = s1 = null;
        ManifestOptions one = new ManifestOptions(ManifestOptions.DEFAULT_VALUES_LIMIT, ManifestOptions.DEFAULT_SAMPLE_K,
                TensorSketch.DEFAULT_WIDTH, false, 1, ManifestOptions.DEFAULT_CHUNK_BYTES);
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long bytes = Files.size(whole);
        System.out.printf("checkpoint: %d x [%d, %d] F32, %.1f MiB; load average %.2f on %d cores%n", tensors, rows, cols,
                bytes / 1048576.0, java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                Runtime.getRuntime().availableProcessors());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        long best1 = Long.MAX_VALUE, best2 = Long.MAX_VALUE, bestFold = Long.MAX_VALUE, cpu1 = 0, cpu2 = 0;
        long[] cpuRank = new long[2];
        String root1 = null, root2 = null;
        for (int rep = 0; rep < reps; rep++) {
            long c0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            CheckpointManifest m = Manifests.of(whole, one);
            long d1 = System.nanoTime() - t0, dc = os.getProcessCpuTime() - c0;
            root1 = m.tensors().get(0).sha256();
            t0 = System.nanoTime();
            long c2 = os.getProcessCpuTime();
            List<Future<long[]>> fs = new ArrayList<>();
            List<CheckpointManifest> parts = new ArrayList<>(List.of(m, m));
            for (int r = 0; r < 2; r++) {
                final int rank = r;
                fs.add(pool.submit(() -> {
                    long c = System.nanoTime();
                    parts.set(rank, Manifests.of(rank == 0 ? r0 : r1, one).asShard(rank, 2, "bench"));
                    return new long[] {System.nanoTime() - c};
                }));
            }
            long[] cr = {fs.get(0).get()[0], fs.get(1).get()[0]};
            long tf = System.nanoTime();
            CheckpointManifest folded = ShardFold.fold(List.of(new ShardFold.Shard("rank0", parts.get(0)), new ShardFold.Shard("rank1", parts.get(1))));
            long fold = System.nanoTime() - tf;
            long d2 = System.nanoTime() - t0;
            long cpu2now = os.getProcessCpuTime() - c2;
            root2 = folded.tensors().get(0).slices().get(0).sha256();
            if (rep == 0) continue;
            if (d1 < best1) {
                best1 = d1;
                cpu1 = dc;
            }
            if (d2 < best2) {
                best2 = d2;
                cpuRank = cr;
                cpu2 = cpu2now;
                bestFold = fold;
            }
        }
        pool.shutdown();
        System.out.printf("R=1: wall %.3f s (CPU %.3f s), %.0f MiB/s%n", best1 / 1e9, cpu1 / 1e9, bytes / 1048576.0 / (best1 / 1e9));
        System.out.printf("R=2: wall %.3f s (process CPU %.3f s; rank 0 wall %.3f s, rank 1 wall %.3f s; fold %.4f s), %.0f MiB/s; speed-up %.2f%n",
                best2 / 1e9, cpu2 / 1e9, cpuRank[0] / 1e9, cpuRank[1] / 1e9, bestFold / 1e9, bytes / 1048576.0 / (best2 / 1e9), (double) best1 / best2);
        if (root1 == null || root2 == null) throw new IllegalStateException("no digests");
        for (Path p : List.of(whole, r0, r1)) Files.delete(p);
        Files.delete(dir);
    }
}
