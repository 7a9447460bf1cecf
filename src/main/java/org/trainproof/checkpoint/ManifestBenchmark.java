package org.trainproof.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.trainproof.ExitCode;
import org.trainproof.TrainproofException;

/**
 * Measures manifest throughput against {@code openssl dgst -sha256} and {@code sha256sum} on the same
 * multi-GB BF16 safetensors file, in one run, each after a warm-up read (so all three see the same
 * page cache). Each tool runs {@code repeats} times; the median time is reported.
 */
public final class ManifestBenchmark {
    /** Bytes of one generated weight tensor: 4096 × 8192 BF16 = 64 MiB. */
    static final long TENSOR_BYTES = 4096L * 8192 * 2;

    private ManifestBenchmark() {}

    /** Timings in seconds (NaN when the tool is missing). */
    public record Result(Path file, long bytes, int tensors, int threads, double[] manifest, double[] openssl,
            double[] sha256sum, String loadBefore, String loadAfter, String root) {
        public double median(double[] t) {
            double[] s = t.clone();
            Arrays.sort(s);
            return s.length == 0 ? Double.NaN : s[s.length / 2];
        }
    }

    /**
     * Writes a BF16 safetensors file of about {@code bytes} bytes: 64 MiB weight tensors of
     * pseudo-random values of magnitude 2^-9..2^-5 (weight-like) plus one 4096-element norm gain per
     * layer (values near 1). Returns the tensor count.
     */
    public static int writeBf16(Path file, long bytes) throws IOException {
        int layers = (int) Math.max(1, bytes / TENSOR_BYTES);
        StringBuilder h = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\",\"generator\":\"trainproof bench\"}");
        long off = 0;
        for (int i = 0; i < layers; i++) {
            h.append(",\"layers.").append(i).append(".weight\":{\"dtype\":\"BF16\",\"shape\":[4096,8192],\"data_offsets\":[")
                    .append(off).append(',').append(off + TENSOR_BYTES).append("]}");
            off += TENSOR_BYTES;
        }
        for (int i = 0; i < layers; i++) {
            h.append(",\"layers.").append(i).append(".norm.weight\":{\"dtype\":\"BF16\",\"shape\":[4096],\"data_offsets\":[")
                    .append(off).append(',').append(off + 8192).append("]}");
            off += 8192;
        }
        h.append('}');
        while ((8 + h.length()) % 8 != 0) h.append(' ');
        byte[] header = h.toString().getBytes(StandardCharsets.UTF_8);
        byte[] buf = new byte[4 << 20];
        long state = 0x5EED;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer pre = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).flip();
            while (pre.hasRemaining()) ch.write(pre);
            ByteBuffer hb = ByteBuffer.wrap(header);
            while (hb.hasRemaining()) ch.write(hb);
            long remaining = layers * TENSOR_BYTES;
            while (remaining > 0) {
                int n = (int) Math.min(buf.length, remaining);
                for (int j = 0; j < n; j += 8) {
                    state += Seeds.GOLDEN_GAMMA;
                    long r = Seeds.mix64(state);
                    for (int q = 0; q < 4; q++) {
                        int b = (int) (r >>> (16 * q)) & 0xFFFF;
                        int v = (b & 0x8000) | ((118 + ((b >>> 7) & 3)) << 7) | (b & 0x7F);
                        buf[j + 2 * q] = (byte) v;
                        buf[j + 2 * q + 1] = (byte) (v >>> 8);
                    }
                }
                ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                while (bb.hasRemaining()) ch.write(bb);
                remaining -= n;
            }
            byte[] norms = new byte[8192];
            for (int j = 0; j < norms.length; j += 2) {
                state += Seeds.GOLDEN_GAMMA;
                int v = 0x3F80 + (int) (Seeds.mix64(state) & 7); // 1.0 .. 1.05
                norms[j] = (byte) v;
                norms[j + 1] = (byte) (v >>> 8);
            }
            for (int i = 0; i < layers; i++) {
                ByteBuffer nb = ByteBuffer.wrap(norms);
                while (nb.hasRemaining()) ch.write(nb);
            }
        }
        return 2 * layers;
    }

    /** Reads the whole file once so it is in the page cache. */
    static void warm(Path file) throws IOException {
        byte[] buf = new byte[4 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            while (in.read(buf) >= 0) {
                // discard
            }
        }
    }

    public static Result run(Path dir, long bytes, int repeats, ManifestOptions opt, PrintWriter progress) throws IOException {
        Path file = dir.resolve("bench-bf16.safetensors");
        progress.printf("writing %.2f GB BF16 safetensors file %s ...%n", bytes / 1e9, file);
        progress.flush();
        int tensors = writeBf16(file, bytes);
        long size = Files.size(file);
        String loadBefore = loadAverage();
        double[] man = new double[repeats];
        double[] ossl = new double[repeats];
        double[] sum = new double[repeats];
        String root = null;
        for (int r = 0; r < repeats; r++) {
            warm(file);
            ossl[r] = timeTool(List.of("openssl", "dgst", "-sha256", file.toString()));
            warm(file);
            sum[r] = timeTool(List.of("sha256sum", file.toString()));
            warm(file);
            long t0 = System.nanoTime();
            CheckpointManifest m = Manifests.of(file, opt);
            man[r] = (System.nanoTime() - t0) / 1e9;
            if (root != null && !root.equals(m.root())) {
                throw new TrainproofException(ExitCode.INTERNAL, "manifest root differs between runs");
            }
            root = m.root();
            progress.printf("run %d: manifest %.3f s, openssl %.3f s, sha256sum %.3f s%n", r + 1, man[r], ossl[r], sum[r]);
            progress.flush();
        }
        return new Result(file, size, tensors, opt.threads(), man, ossl, sum, loadBefore, loadAverage(), root);
    }

    private static double timeTool(List<String> cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        long t0 = System.nanoTime();
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return Double.NaN; // tool not installed
        }
        try {
            if (!p.waitFor(30, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                return Double.NaN;
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return Double.NaN;
        }
        double t = (System.nanoTime() - t0) / 1e9;
        return p.exitValue() == 0 ? t : Double.NaN;
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

}
