package org.trainproof.analysis.lineage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Benchmark (not a test, not in the suite): {@code trainproof compare A B} as a fresh process, R times,
 * each under {@code /usr/bin/time} (wall, user + system CPU, maximum resident set size of the whole JVM
 * process) with the load average after each run; prints every run and the medians. Files: written by
 * {@code python3 src/test/scripts/compare_bench_files.py DIR} (docs/performance.md).
 *
 * <p>Usage: {@code java -cp target/test-classes org.trainproof.analysis.lineage.CompareBenchMain JAR XMX A B [R]}
 * e.g. {@code target/trainproof.jar 512m /tmp/c/a.safetensors /tmp/c/b.safetensors 5}.
 */
public final class CompareBenchMain {
    public static void main(String[] args) throws Exception {
        String jar = args[0], xmx = args[1], a = args[2], b = args[3];
        int reps = args.length > 4 ? Integer.parseInt(args[4]) : 5;
        double gb = (Files.size(Path.of(a)) + Files.size(Path.of(b))) / 1e9;
        double[] wall = new double[reps], cpu = new double[reps], rss = new double[reps];
        List<String> loads = new ArrayList<>();
        int exit = -1;
        for (int r = 0; r < reps; r++) {
            Path t = Files.createTempFile("compare-bench", ".time");
            Path out = Files.createTempFile("compare-bench", ".out");
            try {
                Process p = new ProcessBuilder("/usr/bin/time", "-f", "%e %U %S %M", "-o", t.toString(),
                        "java", "-Xmx" + xmx, "-jar", jar, "compare", "--quiet", a, b)
                        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
                exit = p.waitFor();
                String[] f = Files.readString(t).trim().split("\\s+");
                String[] last = f.length >= 4 ? Arrays.copyOfRange(f, f.length - 4, f.length) : f;
                wall[r] = Double.parseDouble(last[0]);
                cpu[r] = Double.parseDouble(last[1]) + Double.parseDouble(last[2]);
                rss[r] = Double.parseDouble(last[3]) / 1024.0;
                String load = Files.readString(Path.of("/proc/loadavg")).trim();
                loads.add(load);
                List<String> lines = Files.readAllLines(out);
                System.out.printf(Locale.ROOT, "run %d: exit %d, wall %.2f s, CPU %.2f s (%.2f CPU-s per GB read), max RSS %.0f MiB; load %s; %s%n",
                        r + 1, exit, wall[r], cpu[r], cpu[r] / gb, rss[r], load, lines.isEmpty() ? "" : lines.get(lines.size() - 1));
            } finally {
                Files.deleteIfExists(t);
                Files.deleteIfExists(out);
            }
        }
        System.out.printf(Locale.ROOT, "compare %s %s (%.2f GB together), -Xmx%s, median of %d: wall %.2f s, CPU %.2f s (%.2f CPU-s/GB),"
                + " max RSS %.0f MiB (largest %.0f); exit %d; load averages after each run: %s%n",
                a, b, gb, xmx, reps, median(wall), median(cpu), median(cpu) / gb, median(rss), Arrays.stream(rss).max().orElse(0), exit,
                String.join(" | ", loads));
    }

    private static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private CompareBenchMain() {}
}
