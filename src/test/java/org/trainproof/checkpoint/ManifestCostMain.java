package org.trainproof.checkpoint;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Locale;
import org.trainproof.bytes.Digest;

/**
 * Benchmark (not a test): where the manifest's CPU goes, one thread, per GB of a BF16 file. Each
 * component runs alone over the whole file (positioned reads into one direct buffer of the manifest's
 * chunk size) and its thread CPU time is reported, median of R runs, with the load average and the
 * kernel ({@link FloatChunks}: vector with {@code --add-modules jdk.incubator.vector}, else scalar). Usage:
 * {@code java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes:CP org.trainproof.checkpoint.ManifestCostMain FILE [R]}
 */
public final class ManifestCostMain {
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        ThreadMXBean tb = ManagementFactory.getThreadMXBean();
        double gb = Files.size(file) / 1e9;
        System.out.println("kernel: " + FloatChunks.describeKernel());
        String[] names = {"read only (positioned read, kernel copy)", "read + SHA-256", "read + statistics and sketch (FloatChunks)",
            "read + statistics and sketch + SHA-256"};
        run(file, 3); // warm-up: the JIT compiles the kernel
        for (int c = 0; c < names.length; c++) {
            double[] cpu = new double[reps];
            for (int r = 0; r < reps; r++) {
                long t0 = tb.getCurrentThreadCpuTime();
                run(file, c);
                cpu[r] = (tb.getCurrentThreadCpuTime() - t0) / 1e9 / gb;
            }
            Arrays.sort(cpu);
            System.out.printf(Locale.ROOT, "%-48s %.3f CPU-s/GB (median of %d; min %.3f)  load %s%n", names[c], cpu[reps / 2], reps,
                    cpu[0], Files.readString(Path.of("/proc/loadavg")).trim());
        }
    }

    static void run(Path file, int what) throws Exception {
        int chunk = ManifestOptions.DEFAULT_CHUNK_BYTES;
        ByteBuffer buf = ByteBuffer.allocateDirect(chunk).order(ByteOrder.LITTLE_ENDIAN);
        MessageDigest md = Digest.newSha256();
        FloatChunks fc = new FloatChunks();
        TensorSketch.Builder sk = new TensorSketch.Builder("t", 512);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size() & ~7L;
            long e = 0;
            for (long pos = 0; pos < size; ) {
                buf.clear().limit((int) Math.min(chunk, size - pos));
                while (buf.hasRemaining()) ch.read(buf, pos + buf.position());
                int n = buf.position();
                buf.flip();
                if (what >= 2) {
                    StatsAccumulator st = new StatsAccumulator();
                    sk.clear(); // one builder per tensor, emptied per chunk, as Manifests does
                    fc.add(true, buf, 0, n / 2, e, st, sk);
                }
                if (what == 1 || what == 3) md.update(buf);
                e += n / 2;
                pos += n;
            }
        }
    }
}
