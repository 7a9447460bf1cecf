package org.trainproof.bench;


import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.trainproof.ExitCode;
import org.trainproof.bytes.Digest;
import org.trainproof.checkpoint.CheckpointManifest;
import org.trainproof.checkpoint.CoordinateSample;
import org.trainproof.checkpoint.FileManifest;
import org.trainproof.checkpoint.TensorManifest;
import org.trainproof.checkpoint.TensorSketch;
import org.trainproof.checkpoint.TensorStats;
import org.trainproof.crypto.SigningKey;
import org.trainproof.ledger.EntryDraft;
import org.trainproof.ledger.EntryKinds;
import org.trainproof.ledger.Ledger;
import org.trainproof.trainlog.LogFormat;
import org.trainproof.trainlog.MetricsChunk;

/**
 * Benchmark for issues 6 and 19 (not run by the suite): a ledger with 1,000 checkpoint entries of a
 * 50-tensor model (manifests with stats, 256-value coordinate samples and 512-bucket sketches, as
 * {@code record} writes them) and 1,000,000 metric records (100 chunks), then times {@code verify
 * LEDGER --key PUB --quiet} without the files (integrity audit + consistency analysis), each run a
 * fresh {@code java -Xmx512m} process on this JVM's class path, under {@code /usr/bin/time}.
 *
 * <p>The ledger is built once under DIR (under a temporary name, renamed when complete, so a cached
 * file is always whole; delete it to rebuild) and reused by later runs. Prints per run the wall
 * time, the child's CPU-s (user + sys) and the load average, then the medians.
 *
 * <pre>mvn -q test-compile && mvn -q dependency:build-classpath -Dmdep.outputFile=cp.txt
 * java -cp target/classes:target/test-classes:$(cat cp.txt) \
 *     org.trainproof.bench.VerifyBenchmark /tmp/bench-audit/verify [checkpoints] [tensors] [records] [runs] [heap]</pre>
 */
public final class VerifyBenchmark {
    public static void main(String[] args) throws Exception {
        Path dir = Files.createDirectories(Path.of(args.length > 0 ? args[0] : "/tmp/verify-bench"));
        int cps = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int tensors = args.length > 2 ? Integer.parseInt(args[2]) : 50;
        int records = args.length > 3 ? Integer.parseInt(args[3]) : 1_000_000;
        int runs = args.length > 4 ? Integer.parseInt(args[4]) : 5;
        String heap = args.length > 5 ? args[5] : "512m";
        Path db = dir.resolve("verify-" + cps + "-" + tensors + "-" + records + ".db");
        Path pub = dir.resolve("bench.pub");
        byte[] seed = new byte[32];
        for (int i = 0; i < 32; i++) seed[i] = (byte) (7 * i + 3);
        SigningKey key = SigningKey.fromSeed("bench.example/lab", seed);
        Files.writeString(pub, key.verifierKey() + "\n");
        if (Files.exists(db)) {
            System.out.printf("reusing %s (%.1f MB; delete it to rebuild)%n", db, Files.size(db) / 1e6);
        } else {
            Path tmp = dir.resolve(db.getFileName() + ".building");
            Files.deleteIfExists(tmp);
            build(tmp, key, cps, tensors, records);
            Files.move(tmp, db);
            System.out.printf("ledger: %.1f MB%n", Files.size(db) / 1e6);
        }
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        String cp = System.getProperty("java.class.path");
        double[] wall = new double[runs];
        double[] cpu = new double[runs];
        String[] loads = new String[runs];
        for (int run = 0; run < runs; run++) {
            Path times = Files.createTempFile(dir, "time", ".txt");
            ProcessBuilder pb = new ProcessBuilder("/usr/bin/time", "-o", times.toString(), "-f", "%e %U %S", javaBin, "-Xmx" + heap, "-cp", cp,
                    "org.trainproof.cli.Main", "verify", db.toString(), "--key", pub.toString(), "--quiet");
            pb.redirectErrorStream(true);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            int code = p.waitFor();
            String[] t = Files.readString(times).trim().split("\\s+");
            Files.delete(times);
            wall[run] = Double.parseDouble(t[t.length - 3]);
            cpu[run] = Double.parseDouble(t[t.length - 2]) + Double.parseDouble(t[t.length - 1]);
            loads[run] = load();
            System.out.printf("verify run %d (fresh process, -Xmx%s): exit %d, %.2f s wall, %.2f CPU-s (load %s): %s%n",
                    run + 1, heap, code, wall[run], cpu[run], loads[run], out);
            // a verdict (consistent, inconclusive: the synthetic ledger's trajectory is judged from samples only, so
            // without the files it is inconclusive since the E3 rule; inconsistent) is a completed run; anything else is not
            if (code != ExitCode.OK && code != ExitCode.INCONCLUSIVE && code != ExitCode.INCONSISTENT) {
                throw new IllegalStateException("verify failed with exit " + code + ": " + out);
            }
        }
        double[] w = wall.clone();
        double[] c = cpu.clone();
        java.util.Arrays.sort(w);
        java.util.Arrays.sort(c);
        System.out.printf("verify of %d checkpoints x %d tensors and %d records, no files: median of %d fresh processes: %.2f s wall, %.2f CPU-s (load %s .. %s)%n",
                cps, tensors, records, runs, w[runs / 2], c[runs / 2], loads[0], loads[runs - 1]);
    }

    static String load() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + "/" + f[1];
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    private static void build(Path db, SigningKey key, int cps, int tensors, int records) throws Exception {
        ObjectMapper om = new ObjectMapper();
        // Claims that let every weight check run (W1 at step 0, W3 with the schedule, W2, W4, W7).
        ObjectNode cfg = (ObjectNode) om.readTree("{\"vocab_size\":50257,\"loss_units\":\"nats\","
                + "\"optimizer\":{\"name\":\"adamw\",\"betas\":[0.9,0.95],\"eps\":1e-8,\"weight_decay\":0.1},"
                + "\"lr_schedule\":{\"shape\":\"constant\",\"peak_lr\":0.001,\"warmup_steps\":0,\"total_steps\":500000},"
                + "\"init\":[{\"pattern\":\"*\",\"distribution\":\"normal\",\"std\":0.02}]}");
        long t0 = System.nanoTime();
        Random rnd = new Random(1);
        try (Ledger l = Ledger.init(db, key, "bench.example/run", cfg)) {
            // 1,000,000 records: train/loss and train/lr at every step up to records/2, in 10,000-record chunks.
            int perChunk = 10_000;
            long step = 0;
            for (int c = 0; c < records / perChunk; c++) {
                List<MetricsChunk.Row> rows = new ArrayList<>(perChunk);
                for (int i = 0; i < perChunk / 2; i++, step++) {
                    double loss = 10.8 * Math.exp(-step / 2e5) + 2.0 + 0.05 * rnd.nextGaussian();
                    rows.add(new MetricsChunk.Row(step, 0, loss, null));
                    rows.add(new MetricsChunk.Row(step, 1, 3e-4, null));
                }
                MetricsChunk ch = new MetricsChunk("train.jsonl", LogFormat.JSONL, (long) c * 1_000_000, (long) (c + 1) * 1_000_000,
                        Digest.sha256(new byte[] {(byte) c}), List.of("train/loss", "train/lr"), rows);
                l.append(List.of(new EntryDraft(EntryKinds.METRICS, ch.toJson())));
            }
            long tm = System.nanoTime();
            System.out.printf("metrics: %d records in %.1f s%n", records, (tm - t0) / 1e9);
            double[][] w = new double[tensors][256];
            for (double[] x : w) for (int i = 0; i < x.length; i++) x[i] = 0.02 * rnd.nextGaussian();
            List<EntryDraft> batch = new ArrayList<>();
            for (int c = 0; c < cps; c++) {
                List<TensorManifest> ts = new ArrayList<>();
                for (int t = 0; t < tensors; t++) {
                    String name = "layers." + t + ".weight";
                    for (int i = 0; i < 256; i++) w[t][i] += 1e-4 * rnd.nextGaussian();
                    TensorSketch.Builder sk = new TensorSketch.Builder(name, TensorSketch.DEFAULT_WIDTH);
                    for (int i = 0; i < 256; i++) sk.add(i * 997L, w[t][i]);
                    ts.add(new TensorManifest(name, "BF16", List.of(1024L, 1024L), "model.safetensors", (long) t * 2097152,
                            (long) (t + 1) * 2097152, Digest.sha256(new byte[] {(byte) c, (byte) t}).toString(),
                            new TensorStats(1048576, 0.0, 0.02, -0.1, 0.1, 20.48, 0, 0, 0, 0), null,
                            CoordinateSample.of(w[t]), sk.build()));
                }
                String root = Digest.sha256(new byte[] {(byte) c, (byte) (c >> 8)}).toString();
                CheckpointManifest m = new CheckpointManifest("safetensors", root,
                        List.of(new FileManifest("model.safetensors", 104857600L, root, root, null, null)), ts);
                ObjectNode body = om.createObjectNode().put("step", (long) c * (records / 2 / cps));
                ObjectNode cp = body.putObject("checkpoint");
                ObjectNode named = cp.putArray("manifests").addObject();
                named.put("name", "step-" + c + ".safetensors");
                named.set("manifest", om.valueToTree(m));
                cp.putArray("files");
                batch.add(new EntryDraft(EntryKinds.CHECKPOINT, body));
                if (batch.size() == 10) {
                    l.append(batch);
                    batch = new ArrayList<>();
                }
            }
            if (!batch.isEmpty()) l.append(batch);
            System.out.printf("checkpoints: %d x %d tensors in %.1f s%n", cps, tensors, (System.nanoTime() - tm) / 1e9);
        }
    }
}
