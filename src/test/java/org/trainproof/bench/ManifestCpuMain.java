package org.trainproof.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import org.trainproof.checkpoint.CheckpointManifest;
import org.trainproof.checkpoint.ManifestOptions;
import org.trainproof.checkpoint.Manifests;

/**
 * Benchmark and identity probe (not a test). {@code cpu FILE R}: builds the manifest of FILE R times in
 * this JVM and prints each run's process CPU time per GB, the median and the load average.
 * {@code digest PATH...}: prints, per path, the SHA-256 of the manifest's full Jackson JSON (every
 * statistic, sample value and sketch bucket), to compare two builds bit for bit:
 * {@code java -cp target/classes:target/test-classes:CP org.trainproof.bench.ManifestCpuMain digest ...}.
 * {@code digest-nosketch PATH...}: the same with every tensor's {@code sketch} removed first, to check that
 * a build with another sketch scheme leaves digests, statistics, samples and values bit-identical.
 */
public final class ManifestCpuMain {
    public static void main(String[] args) throws Exception {
        ObjectMapper json = new ObjectMapper();
        if (args[0].equals("digest") || args[0].equals("digest-nosketch")) {
            for (int i = 1; i < args.length; i++) {
                String out;
                try {
                    CheckpointManifest m = Manifests.of(Path.of(args[i]), ManifestOptions.defaults());
                    com.fasterxml.jackson.databind.JsonNode tree = json.valueToTree(m);
                    if (args[0].equals("digest-nosketch")) {
                        for (com.fasterxml.jackson.databind.JsonNode t : tree.path("tensors")) {
                            ((com.fasterxml.jackson.databind.node.ObjectNode) t).remove("sketch");
                        }
                    }
                    byte[] d = MessageDigest.getInstance("SHA-256").digest(json.writeValueAsBytes(tree));
                    out = HexFormat.of().formatHex(d);
                } catch (RuntimeException e) {
                    out = "error " + e.getClass().getSimpleName() + ": " + e.getMessage();
                }
                System.out.println(out + "  " + args[i]);
            }
            return;
        }
        Path file = Path.of(args[1]);
        int reps = Integer.parseInt(args[2]);
        double gb = Files.size(file) / 1e9;
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        double[] cpu = new double[reps];
        String root = null;
        for (int r = 0; r < reps; r++) {
            long c0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            CheckpointManifest m = Manifests.of(file, ManifestOptions.defaults());
            double wall = (System.nanoTime() - t0) / 1e9;
            cpu[r] = (os.getProcessCpuTime() - c0) / 1e9 / gb;
            root = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json.writeValueAsBytes(m)));
            System.out.printf(Locale.ROOT, "run %d: %.3f CPU-s/GB, %.3f s wall; load %s%n", r + 1, cpu[r], wall,
                    Files.readString(Path.of("/proc/loadavg")).trim());
        }
        Arrays.sort(cpu);
        System.out.printf(Locale.ROOT, "median %.3f CPU-s/GB over %d runs (min %.3f); manifest JSON sha256 %s%n", cpu[reps / 2], reps, cpu[0], root);
    }
}
