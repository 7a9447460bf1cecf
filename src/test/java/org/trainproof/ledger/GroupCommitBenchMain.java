package org.trainproof.ledger;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.trainproof.bytes.Digest;

/**
 * Durable append throughput (issue 19; a benchmark, not part of the test suite). Usage:
 * {@code java -cp target/classes:target/test-classes:DEPS org.trainproof.ledger.GroupCommitBenchMain DIR [THREADS] [ENTRIES] [RUNS] [BATCH] [BATCHED_ENTRIES]}
 * (defaults 16, 5000, 5, 1000, 100000). Each run uses a fresh ledger and ~250-byte metrics-like
 * entries; per run it measures (1) single-entry {@link Ledger#append} from one thread, one commit
 * each (the path without group commit; ENTRIES/5 entries), (2) single-entry appends from THREADS
 * threads through one {@link GroupCommitAppender}, and (3) {@link Ledger#append} in batches of
 * BATCH, after one warm-up pass. Prints each run with the 1-minute load average, then the median of RUNS.
 */
public final class GroupCommitBenchMain {
    private GroupCommitBenchMain() {}

    private static ObjectNode body(int step) {
        ObjectNode b = JsonNodeFactory.instance.objectNode();
        b.put("step", step);
        ObjectNode m = b.putObject("metrics");
        m.put("loss", 2.0 + (step % 997) / 1000.0);
        m.put("lr", 6e-4 * (step % 13) / 13.0);
        m.put("grad_norm", (step % 101) / 100.0);
        m.put("tokens", step * 524288L);
        b.put("source_sha256", Digest.sha256(new byte[] {(byte) step, (byte) (step >> 8)}).toString());
        return b;
    }

    private static String load() throws Exception {
        return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    }

    private static Path fresh(Path dir, String name) throws Exception {
        Path db = dir.resolve(name);
        for (String s : new String[] {"", "-wal", "-shm"}) Files.deleteIfExists(dir.resolve(name + s));
        Ledger.init(db, LedgerFixtures.key(), LedgerFixtures.ORIGIN, null).close();
        return db;
    }

    private static void check(Path db, long expected) {
        AuditReport r = LedgerFixtures.audit(db);
        if (!r.clean() || r.entries() != expected) {
            throw new IllegalStateException(db + ": audit clean=" + r.clean() + " entries=" + r.entries() + " expected " + expected
                    + " " + LedgerFixtures.failCodes(r));
        }
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        int n = args.length > 2 ? Integer.parseInt(args[2]) : 5000;
        int runs = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        int batch = args.length > 4 ? Integer.parseInt(args[4]) : 1000;
        int batchedN = args.length > 5 ? Integer.parseInt(args[5]) : 100_000;
        Files.createDirectories(dir);
        double[] single = new double[runs];
        double[] group = new double[runs];
        double[] batched = new double[runs];
        double[] perGroup = new double[runs];
        double[] batchedCpu = new double[runs];
        double[] draftCpuUs = new double[runs];
        // Warm-up (JIT) on a throwaway ledger, so run 1's single-entry figure is not a cold start.
        Path warm = fresh(dir, "warm.db");
        try (Ledger l = Ledger.openForAppend(warm, LedgerFixtures.key())) {
            for (int i = 0; i < 300; i++) l.append(List.of(new EntryDraft("metrics", body(i))));
            List<EntryDraft> ds = new ArrayList<>();
            for (int j = 0; j < 5000; j++) ds.add(new EntryDraft("metrics", body(j)));
            l.append(ds);
        }
        for (int run = 0; run < runs; run++) {
            String l0 = load();
            // (1) one commit per entry, one thread.
            int n1 = Math.max(1, n / 5);
            Path db = fresh(dir, "single.db");
            long t0 = System.nanoTime();
            try (Ledger l = Ledger.openForAppend(db, LedgerFixtures.key())) {
                for (int i = 0; i < n1; i++) l.append(List.of(new EntryDraft("metrics", body(i))));
            }
            single[run] = n1 / ((System.nanoTime() - t0) / 1e9);
            check(db, 1 + n1);

            // (2) group commit: THREADS callers, one entry per call.
            db = fresh(dir, "group.db");
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            AtomicInteger next = new AtomicInteger();
            long groups;
            try (Ledger l = Ledger.openForAppend(db, LedgerFixtures.key()); GroupCommitAppender a = new GroupCommitAppender(l)) {
                t0 = System.nanoTime();
                List<Future<?>> fs = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    fs.add(pool.submit(() -> {
                        int i;
                        while ((i = next.getAndIncrement()) < n) a.append(new EntryDraft("metrics", body(i)));
                        return null;
                    }));
                }
                for (Future<?> f : fs) f.get();
                group[run] = n / ((System.nanoTime() - t0) / 1e9);
                groups = a.groups();
            } finally {
                pool.shutdownNow();
            }
            perGroup[run] = (double) n / groups;
            check(db, 1 + n);

            // (3) batches of BATCH entries, one thread. The drafts (the caller's work: building the JSON
            // bodies, EntryDraft's defensive copy) are built before each append and their CPU time is
            // reported apart; the rate and CPU-us/entry are Ledger.append's own (process CPU: all threads, GC).
            db = fresh(dir, "batched.db");
            long appendNanos = 0;
            long appendCpu = 0;
            long draftCpu = 0;
            var threadsBean = java.lang.management.ManagementFactory.getThreadMXBean();
            try (Ledger l = Ledger.openForAppend(db, LedgerFixtures.key())) {
                for (int i = 0; i < batchedN; ) {
                    int k = Math.min(batch, batchedN - i);
                    long d0 = threadsBean.getCurrentThreadCpuTime();
                    List<EntryDraft> ds = new ArrayList<>(k);
                    for (int j = 0; j < k; j++) ds.add(new EntryDraft("metrics", body(i + j)));
                    draftCpu += threadsBean.getCurrentThreadCpuTime() - d0;
                    long c0 = cpuNanos();
                    t0 = System.nanoTime();
                    l.append(ds);
                    appendNanos += System.nanoTime() - t0;
                    appendCpu += cpuNanos() - c0;
                    i += k;
                }
            }
            batched[run] = batchedN / (appendNanos / 1e9);
            batchedCpu[run] = appendCpu / 1e3 / batchedN;
            draftCpuUs[run] = draftCpu / 1e3 / batchedN;
            check(db, 1 + batchedN);
            System.out.printf("run %d: single (1 thread, commit each) %.0f/s; group commit (%d threads) %.0f/s, %.1f entries/commit;"
                    + " batched (%d/batch) %.0f/s, %.1f CPU-us/entry (+ %.1f building the drafts); load average %s -> %s%n",
                    run + 1, single[run], threads, group[run], perGroup[run], batch, batched[run], batchedCpu[run], draftCpuUs[run], l0, load());
        }
        System.out.printf("median of %d: single %.0f/s; group commit %.0f/s (%.1f entries/commit); batched %.0f/s (%.1f CPU-us/entry, process CPU incl. GC/JIT;"
                + " + %.1f building the drafts); load average now %s%n",
                runs, median(single), median(group), median(perGroup), median(batched), median(batchedCpu), median(draftCpuUs), load());
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
