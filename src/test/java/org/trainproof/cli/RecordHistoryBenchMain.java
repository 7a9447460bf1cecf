package org.trainproof.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A training job's pattern (issue 19; a benchmark, not a test): {@code record --log} called once per
 * logged step, so the ledger holds one metrics entry per call and the next call must check all of them.
 * Usage: {@code java -cp target/classes:target/test-classes:DEPS org.trainproof.cli.RecordHistoryBenchMain
 * DIR LAUNCHER [CALLS] [RUNS]} (defaults 2000, 7). Builds, in this JVM, a fresh ledger in DIR by CALLS
 * one-line {@code record} calls on one JSON-lines log, then times RUNS fresh processes of
 * {@code LAUNCHER record DIR/l.db --key DIR/k.key --log DIR/train.jsonl}, each after appending one line
 * (LAUNCHER: {@code bin/trainproof}, or several separated by commas, which then alternate run by run),
 * then RUNS of {@code LAUNCHER verify DIR/l.db --key DIR/k.pub --quiet} likewise (the ledger then holds
 * one signed checkpoint per call, which verify's trusted-time audit pairs with steps).
 * Prints per run wall seconds and the 1-minute load average, then the median per launcher.
 */
public final class RecordHistoryBenchMain {
    private RecordHistoryBenchMain() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        String[] launchers = args[1].split(",");
        int calls = args.length > 2 ? Integer.parseInt(args[2]) : 2000;
        int runs = args.length > 3 ? Integer.parseInt(args[3]) : 7;
        Files.createDirectories(dir);
        PrintWriter nul = new PrintWriter(Writer.nullWriter());
        String k = dir.resolve("k").toString();
        String db = dir.resolve("l.db").toString();
        Path log = dir.resolve("train.jsonl");
        if (Files.exists(Path.of(db))) throw new IllegalArgumentException(db + " exists: give an empty folder");
        check(Main.execute(nul, nul, "keygen", "--name", "bench.example/lab", "--out", k), "keygen");
        check(Main.execute(nul, nul, "init", db, "--key", k + ".key", "--origin", "bench.example/run"), "init");
        long t0 = System.nanoTime();
        int step = 0;
        for (; step < calls; step++) {
            append(log, step);
            check(Main.execute(nul, nul, "record", db, "--key", k + ".key", "--log", log.toString()), "record " + step);
        }
        System.out.printf(Locale.ROOT, "history: %d one-line record calls in %.1f s (one JVM); ledger %d bytes, log %d bytes%n",
                calls, (System.nanoTime() - t0) / 1e9, Files.size(Path.of(db)), Files.size(log));
        List<List<Double>> wall = new ArrayList<>();
        for (String l : launchers) wall.add(new ArrayList<>());
        for (int r = 0; r < runs; r++) {
            for (int li = 0; li < launchers.length; li++) {
                append(log, step++);
                List<String> cmd = new ArrayList<>(List.of(launchers[li].trim().split(" ")));
                cmd.addAll(List.of("record", db, "--key", k + ".key", "--log", log.toString()));
                long s = System.nanoTime();
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes());
                int code = p.waitFor();
                double secs = (System.nanoTime() - s) / 1e9;
                if (code != 0 || !out.contains("1 new records")) throw new IllegalStateException(launchers[li] + " failed: " + out);
                wall.get(li).add(secs);
                System.out.printf(Locale.ROOT, "run %d %s: %.3f s wall, load %s%n", r + 1, launchers[li], secs, load());
            }
        }
        List<List<Double>> verifyWall = new ArrayList<>();
        for (String l : launchers) verifyWall.add(new ArrayList<>());
        for (int r = 0; r < runs; r++) {
            for (int li = 0; li < launchers.length; li++) {
                List<String> cmd = new ArrayList<>(List.of(launchers[li].trim().split(" ")));
                cmd.addAll(List.of("verify", db, "--key", k + ".pub", "--quiet"));
                long s = System.nanoTime();
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes());
                int code = p.waitFor();
                double secs = (System.nanoTime() - s) / 1e9;
                // logs only: the verdict is inconclusive (exit 5); anything else is a failure of the run
                if (code != 5) throw new IllegalStateException(launchers[li] + " verify exited " + code + ": " + out);
                verifyWall.get(li).add(secs);
                System.out.printf(Locale.ROOT, "verify run %d %s: %.3f s wall, load %s%n", r + 1, launchers[li], secs, load());
            }
        }
        for (int li = 0; li < launchers.length; li++) {
            System.out.printf(Locale.ROOT, "median of %d, record of one line after %d calls: %s  %s%n", runs, calls,
                    summary(wall.get(li)), launchers[li]);
            System.out.printf(Locale.ROOT, "median of %d, verify (no files) of that ledger: %s  %s%n", runs, summary(verifyWall.get(li)),
                    launchers[li]);
        }
    }

    private static String summary(List<Double> runs) {
        List<Double> w = new ArrayList<>(runs);
        w.sort(null);
        return String.format(Locale.ROOT, "%.3f s wall (min %.3f, max %.3f)", w.get(w.size() / 2), w.get(0), w.get(w.size() - 1));
    }

    private static void append(Path log, int step) throws IOException {
        Files.writeString(log, "{\"step\": " + step + ", \"loss\": " + (3.0 - step * 1e-4) + "}\n", StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    private static void check(int code, String what) {
        if (code != 0) throw new IllegalStateException(what + " exited " + code);
    }

    private static String load() throws IOException {
        return Files.readString(Path.of("/proc/loadavg")).trim().split(" ")[0];
    }
}
