package org.trainproof.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Semaphore;

/**
 * Durable single-entry appends from one process through {@code record --serve} (issue 19; a benchmark,
 * not a test). Usage:
 * {@code java -cp target/classes:target/test-classes:DEPS org.trainproof.cli.ServeBenchMain DIR [IN_FLIGHT] [ENTRIES] [RUNS]}
 * (defaults 16, 20000, 5). Per run: a fresh ledger; the real server as a child JVM
 * ({@code java -cp CP org.trainproof.cli.Main record LEDGER --key K --serve}); one client thread
 * sends one event request per entry (one entry each, ~60-byte text) and keeps at most IN_FLIGHT requests
 * unanswered; another reads the answers. After 2,000 warm-up requests (JIT), ENTRIES requests are timed
 * from the first sent to the last answered. Printed per run and as medians: answered entries per second,
 * entries per commit (distinct tree_size of the answers), the server process's CPU (utime+stime from
 * /proc, 10 ms ticks) per entry, the 1-minute load average; each ledger must verify with exit 0 and
 * hold every answered entry.
 */
public final class ServeBenchMain {
    private ServeBenchMain() {}

    private static String load() throws Exception {
        return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    }

    /** utime + stime of {@code pid} in seconds (fields 14 and 15 of /proc/PID/stat, USER_HZ = 100). */
    private static double cpuSeconds(long pid) throws Exception {
        return userSeconds(pid) + sysSeconds(pid);
    }

    private static double userSeconds(long pid) throws Exception {
        return statField(pid, 11) / 100.0;
    }

    private static double sysSeconds(long pid) throws Exception {
        return statField(pid, 12) / 100.0;
    }

    private static long statField(long pid, int i) throws Exception {
        String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
        return Long.parseLong(s.substring(s.lastIndexOf(')') + 2).split(" ")[i]);
    }

    private static int cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.run(new PrintWriter(out), new PrintWriter(err), args);
        if (code != 0) throw new IllegalStateException(String.join(" ", args) + " exited " + code + ": " + out + err);
        return code;
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int inFlight = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        int n = args.length > 2 ? Integer.parseInt(args[2]) : 20000;
        int runs = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        int warm = 2000;
        Files.createDirectories(dir);
        Path key = dir.resolve("k.key");
        if (!Files.exists(key)) cli("keygen", "--name", "example.com/bench", "--out", dir.resolve("k").toString());
        double[] rate = new double[runs];
        double[] perCommit = new double[runs];
        double[] cpuUs = new double[runs];
        double[] sysUs = new double[runs];
        for (int run = 0; run < runs; run++) {
            String l0 = load();
            Path db = dir.resolve("serve.db");
            for (String s : new String[] {"", "-wal", "-shm"}) Files.deleteIfExists(dir.resolve("serve.db" + s));
            cli("init", db.toString(), "--key", key.toString(), "--origin", "example.com/bench");
            String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(javaBin, "-Xmx256m"));
            String extra = System.getProperty("serve.jvm", "").trim(); // e.g. -Dserve.jvm=-XX:TieredStopAtLevel=1
            if (!extra.isEmpty()) cmd.addAll(java.util.List.of(extra.split("\\s+")));
            cmd.addAll(java.util.List.of("-cp", System.getProperty("java.class.path"), "org.trainproof.cli.Main",
                    "record", db.toString(), "--key", key.toString(), "--serve"));
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            BufferedReader answers = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String ready = answers.readLine();
            if (ready == null || !ready.contains("\"ready\":true")) throw new IllegalStateException("server did not start: " + ready);
            Semaphore window = new Semaphore(inFlight);
            int total = warm + n;
            Thread writer = new Thread(() -> {
                try (PrintStream in = new PrintStream(p.getOutputStream(), false, StandardCharsets.UTF_8)) {
                    for (int i = 0; i < total; i++) {
                        window.acquireUninterruptibly();
                        in.println("{\"id\":" + i + ",\"step\":" + i + ",\"event\":\"bench entry " + i + " of a single-entry durable append\"}");
                        in.flush();
                    }
                }
            });
            long t0 = 0;
            double c0 = 0;
            double s0 = 0;
            Set<Long> trees = new HashSet<>();
            writer.start();
            for (int i = 0; i < total; i++) {
                if (i == warm) {
                    // The window is full of requests sent before t0; counting from here times n answers.
                    t0 = System.nanoTime();
                    c0 = cpuSeconds(p.pid());
                    s0 = sysSeconds(p.pid());
                }
                String a = answers.readLine();
                if (a == null || !a.contains("\"ok\":true")) throw new IllegalStateException("request failed: " + a);
                window.release();
                if (i >= warm) {
                    int k = a.indexOf("\"tree_size\":") + 12;
                    int e = k;
                    while (e < a.length() && Character.isDigit(a.charAt(e))) e++;
                    trees.add(Long.parseLong(a.substring(k, e)));
                }
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            double cpu = cpuSeconds(p.pid()) - c0;
            double sys = sysSeconds(p.pid()) - s0;
            writer.join();
            if (answers.readLine() != null) throw new IllegalStateException("an answer too many");
            if (p.waitFor() != 0) throw new IllegalStateException("server exited " + p.exitValue());
            cli("verify", db.toString(), "--key", dir.resolve("k.pub").toString(), "--integrity-only");
            rate[run] = n / secs;
            perCommit[run] = (double) n / trees.size();
            cpuUs[run] = cpu * 1e6 / n;
            sysUs[run] = sys * 1e6 / n;
            System.out.printf("run %d: %.0f durable single-entry appends/s through record --serve (%d in flight), %.1f entries/commit,"
                    + " server %.0f CPU-us/entry (%.0f of it system); load average %s -> %s%n", run + 1, rate[run], inFlight, perCommit[run],
                    cpuUs[run], sysUs[run], l0, load());
        }
        System.out.printf("median of %d: %.0f appends/s (%d in flight), %.1f entries/commit, server %.0f CPU-us/entry (%.0f system);"
                + " load average now %s%n", runs, median(rate), inFlight, median(perCommit), median(cpuUs), median(sysUs), load());
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
