package org.trainproof.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Probe (not a test): which loop shapes this JVM's C2 compiler vectorises, measured as thread CPU ns per
 * element over L1-resident arrays (4096 elements), median of 9 rounds, once with and once without
 * {@code -XX:-UseSuperWord} to compare. A loop that runs no faster with SuperWord on was not vectorised.
 * Why it matters (docs/performance.md, "Manifest CPU cost"): a BF16 sketch or statistics pass has to turn
 * 16-bit codes into floats ({@code Float.intBitsToFloat(code << 16)}); if that step stays scalar, so does
 * everything after it. Usage:
 * {@code java -cp target/test-classes org.trainproof.bench.VectoriseProbeMain} and again with
 * {@code -XX:-UseSuperWord}.
 */
public final class VectoriseProbeMain {
    static final int N = 4096;
    static float[] f = new float[N], g = new float[N], big = new float[2 * N];
    static int[] b = new int[N], o = new int[N];

    /** Float add of two arrays at the same index: the textbook vectorisable loop. */
    static void floatAdd() {
        for (int i = 0; i < N; i++) f[i] += g[i];
    }

    /** Integer shift/xor at the same index. */
    static void intOps() {
        for (int i = 0; i < N; i++) o[i] = (b[i] << 16) ^ (b[i] & 0x80000000);
    }

    /** BF16 code to float by reinterpretation (what every BF16 pass needs). */
    static void intBitsToFloat() {
        for (int i = 0; i < N; i++) f[i] += Float.intBitsToFloat(b[i] << 16);
    }

    /** Integer to float by conversion. */
    static void intToFloat() {
        for (int i = 0; i < N; i++) f[i] += (float) b[i];
    }

    /** Add at an invariant offset into another array of the same type (may alias: no runtime check in C2). */
    static void offsetAdd(int off) {
        for (int i = 0; i < N; i++) f[i] += big[i + off];
    }

    public static void main(String[] args) throws Exception {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        for (int i = 0; i < N; i++) {
            b[i] = 0x3C00 + (i & 255);
            g[i] = i * 1e-4f;
            big[i] = g[i];
        }
        String[] names = {"float add, same index", "int shift/xor, same index", "Float.intBitsToFloat(code << 16)",
            "(float) int", "float add at invariant offset"};
        int rounds = 9;
        double[][] ns = new double[names.length][rounds];
        for (int r = 0; r < rounds + 3; r++) {
            for (int k = 0; k < names.length; k++) {
                java.util.Arrays.fill(f, 0f);
                long t0 = mx.getCurrentThreadCpuTime();
                for (int q = 0; q < 5000; q++) {
                    switch (k) {
                        case 0 -> floatAdd();
                        case 1 -> intOps();
                        case 2 -> intBitsToFloat();
                        case 3 -> intToFloat();
                        default -> offsetAdd(q & 1023);
                    }
                }
                if (r >= 3) ns[k][r - 3] = (mx.getCurrentThreadCpuTime() - t0) / (5000.0 * N);
            }
        }
        for (int k = 0; k < names.length; k++) {
            java.util.Arrays.sort(ns[k]);
            System.out.printf(Locale.ROOT, "%-36s %.3f ns/element%n", names[k], ns[k][rounds / 2]);
        }
        System.out.println("load " + Files.readString(Path.of("/proc/loadavg")).trim() + "  (f[1] = " + f[1] + o[2] + ")");
    }
}
