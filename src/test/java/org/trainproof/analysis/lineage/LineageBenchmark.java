package org.trainproof.analysis.lineage;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.trainproof.checkpoint.SafetensorsWriter;

/**
 * Not a unit test: writes two large BF16 safetensors checkpoints for timing {@code compare}, streaming
 * (never holding a tensor). A: {@code layers} blocks of norm (d), up (h × d), down (d × h) with
 * uniform values; B: A with every block's hidden units permuted, noise added, gains reset to 1
 * (the disguised derivative), or an independent model with {@code independent}.
 *
 * <p>Usage: {@code java -cp target/trainproof.jar:target/test-classes
 * org.trainproof.analysis.lineage.LineageBenchmark DIR LAYERS D H [independent]}
 */
public final class LineageBenchmark {
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        int layers = Integer.parseInt(args[1]), d = Integer.parseInt(args[2]), h = Integer.parseInt(args[3]);
        boolean independent = args.length > 4 && args[4].equals("independent");
        Files.createDirectories(dir);
        long t0 = System.nanoTime();
        write(dir.resolve("a.safetensors"), layers, d, h, 1, null, false);
        write(dir.resolve("b.safetensors"), layers, d, h, independent ? 2 : 1, independent ? null : 77L, !independent);
        System.out.printf("wrote %s and b in %.1f s%n", dir.resolve("a.safetensors"), (System.nanoTime() - t0) / 1e9);
    }

    private static float val(long seed, int layer, int mat, int row, int col) {
        long x = seed * 0x9E3779B97F4A7C15L + layer * 0xBF58476D1CE4E5B9L + mat * 0x94D049BB133111EBL + row * 0x2545F4914F6CDD1DL + col;
        x ^= x >>> 31; x *= 0x7FB5D329728EA185L; x ^= x >>> 27; x *= 0x81DADEF4BC2DD44DL; x ^= x >>> 33;
        return (float) (((x >>> 11) * 0x1.0p-53) * 2 - 1);
    }

    static void write(Path p, int layers, int d, int h, long seed, Long permSeed, boolean resetGains) throws IOException {
        StringBuilder hdr = new StringBuilder("{");
        long off = 0;
        String[] names = new String[layers * 3];
        long[][] shapes = new long[layers * 3][];
        int k = 0;
        for (int l = 0; l < layers; l++) {
            names[k] = "layers." + l + ".mlp.down.weight"; shapes[k++] = new long[] {d, h};
            names[k] = "layers." + l + ".mlp.up.weight"; shapes[k++] = new long[] {h, d};
            names[k] = "layers." + l + ".norm.weight"; shapes[k++] = new long[] {d};
        }
        for (int i = 0; i < names.length; i++) {
            long n = 1;
            for (long s : shapes[i]) n *= s;
            hdr.append(i == 0 ? "" : ",").append('"').append(names[i]).append("\":{\"dtype\":\"BF16\",\"shape\":[");
            for (int j = 0; j < shapes[i].length; j++) hdr.append(j == 0 ? "" : ",").append(shapes[i][j]);
            hdr.append("],\"data_offsets\":[").append(off).append(',').append(off + 2 * n).append("]}");
            off += 2 * n;
        }
        hdr.append('}');
        while ((8 + hdr.length()) % 8 != 0) hdr.append(' ');
        byte[] json = hdr.toString().getBytes(StandardCharsets.UTF_8);
        SplittableRandom noise = new SplittableRandom(seed + 1000);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(p), 1 << 20)) {
            long n = json.length;
            for (int i = 0; i < 8; i++) out.write((int) (n >>> (8 * i)));
            out.write(json);
            byte[] row = new byte[2 * Math.max(d, h)];
            for (int l = 0; l < layers; l++) {
                int[] perm = permSeed == null ? TensorSource.identity(h)
                        : LineageNumerics.randomPermutation(h, new SplittableRandom(permSeed + l));
                double nz = permSeed == null ? 0 : 0.3;
                for (int r = 0; r < d; r++) { // down: d x h, columns permuted
                    for (int c = 0; c < h; c++) put(row, c, val(seed, l, 0, r, perm[c]) + (float) (nz * (noise.nextDouble() * 2 - 1)));
                    out.write(row, 0, 2 * h);
                }
                for (int r = 0; r < h; r++) { // up: h x d, rows permuted
                    for (int c = 0; c < d; c++) put(row, c, val(seed, l, 1, perm[r], c) + (float) (nz * (noise.nextDouble() * 2 - 1)));
                    out.write(row, 0, 2 * d);
                }
                for (int c = 0; c < d; c++) put(row, c, resetGains ? 1f : 1f + 0.05f * val(seed, l, 2, 0, c));
                out.write(row, 0, 2 * d);
            }
        }
    }

    private static void put(byte[] b, int i, float f) {
        short s = SafetensorsWriter.toBf16Bits(f);
        b[2 * i] = (byte) s;
        b[2 * i + 1] = (byte) (s >>> 8);
    }
}
