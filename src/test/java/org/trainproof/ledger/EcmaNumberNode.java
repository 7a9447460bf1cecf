package org.trainproof.ledger;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Compares {@link CanonicalJson#number} with Node.js's own {@code String(x)} (ECMAScript
 * Number::toString, which RFC 8785 §3.2.2.3 adopts) byte for byte, on edge-case and random
 * doubles. Node runs {@code src/test/scripts/ecma_number.js}. Used by {@code EcmaNumberNodeTest}
 * (a 50,000-value sample in the suite) and {@code EcmaNumberNodeMain} (millions, on demand).
 */
final class EcmaNumberNode {
    private EcmaNumberNode() {}

    static final Path SCRIPT = Path.of("src/test/scripts/ecma_number.js");

    /** True when {@code node} runs here. */
    static boolean nodeAvailable() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * The edge cases (every one, whatever {@code n}) then random doubles up to {@code n} values:
     * ±0, subnormals, powers of two and of ten with their neighbours, integers near 2^53, the
     * plain/exponent notation boundaries 1e-7 and 1e21, decimals of 1 to 17 significant digits
     * (where the shortest representation is the question), uniform bit patterns, and gaussians.
     * NaN and Infinity are left out (not JSON).
     */
    static double[] values(int n, long seed) {
        List<Double> v = new ArrayList<>();
        v.add(0.0);
        v.add(-0.0);
        v.add(Double.MIN_VALUE);
        v.add(Double.MIN_NORMAL);
        v.add(Math.nextDown(Double.MIN_NORMAL));
        v.add(Double.MAX_VALUE);
        for (int e = -1074; e <= 1023; e++) addAround(v, Math.scalb(1.0, e));
        for (int e = -324; e <= 308; e++) {
            addAround(v, Double.parseDouble("1e" + e));
            addAround(v, Double.parseDouble("5e" + e));
            addAround(v, Double.parseDouble("9.999999999999999e" + e));
        }
        double two53 = Math.scalb(1.0, 53);
        for (int k = -1000; k <= 1000; k++) {
            v.add(two53 + 2.0 * k);
            v.add(two53 / 2 + k);
            v.add(k + 0.5);
            v.add(k / 10.0);
        }
        for (long m = 1; m < 2000; m++) v.add(Double.longBitsToDouble(m)); // smallest subnormals
        for (long m = 0; m < 2000; m++) v.add(Double.longBitsToDouble(0x000fffffffffffffL - m)); // largest subnormals
        Random r = new Random(seed);
        while (v.size() < n) {
            double d;
            switch (v.size() % 6) {
                case 0, 1 -> d = Double.longBitsToDouble(r.nextLong());
                case 2 -> d = r.nextGaussian() * Math.pow(10, r.nextInt(60) - 30);
                case 3 -> {
                    // a decimal of 1..17 significant digits at a random exponent
                    int digits = 1 + r.nextInt(17);
                    StringBuilder s = new StringBuilder();
                    s.append((char) ('1' + r.nextInt(9)));
                    for (int i = 1; i < digits; i++) s.append((char) ('0' + r.nextInt(10)));
                    d = Double.parseDouble(s + "e" + (r.nextInt(640) - 330));
                }
                case 4 -> d = Double.longBitsToDouble(r.nextLong() & 0x000fffffffffffffL); // subnormal
                default -> d = (r.nextLong() >> r.nextInt(64)) * (r.nextBoolean() ? 1.0 : 0.001); // integers and milli-units
            }
            if (r.nextBoolean()) d = -d;
            if (!Double.isNaN(d) && !Double.isInfinite(d)) v.add(d);
        }
        double[] out = new double[v.size()];
        int k = 0;
        for (double d : v) {
            if (!Double.isNaN(d) && !Double.isInfinite(d)) out[k++] = d;
        }
        return java.util.Arrays.copyOf(out, k);
    }

    private static void addAround(List<Double> v, double d) {
        if (Double.isInfinite(d) || Double.isNaN(d)) return;
        v.add(d);
        v.add(Math.nextUp(d));
        v.add(Math.nextDown(d));
        v.add(-d);
    }

    /** A value where ours and Node's differ. */
    record Mismatch(double value, String node, String ours) {
        @Override
        public String toString() {
            return String.format("%016x: node %s, ours %s", Double.doubleToRawLongBits(value), node, ours);
        }
    }

    /** Formats every value with Node and with {@code ours}; returns the values where they differ. */
    static List<Mismatch> compare(double[] values, java.util.function.DoubleFunction<String> ours) throws IOException, InterruptedException {
        Path in = Files.createTempFile("ecma-number", ".hex");
        try {
            try (BufferedWriter w = Files.newBufferedWriter(in, StandardCharsets.US_ASCII)) {
                for (double d : values) {
                    w.write(String.format("%016x", Double.doubleToRawLongBits(d)));
                    w.write('\n');
                }
            }
            Process p = new ProcessBuilder("node", SCRIPT.toString()).redirectInput(in.toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            List<Mismatch> bad = new ArrayList<>();
            int i = 0;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (i >= values.length) throw new IOException("node printed more lines than values");
                    String o = ours.apply(values[i]);
                    if (!line.equals(o)) bad.add(new Mismatch(values[i], line, o));
                    i++;
                }
            }
            if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException("node failed (exit " + p.exitValue() + ")");
            if (i != values.length) throw new IOException("node printed " + i + " lines for " + values.length + " values");
            return bad;
        } finally {
            Files.deleteIfExists(in);
        }
    }

    static String ours(double d) {
        return CanonicalJson.number(d, "$");
    }
}
