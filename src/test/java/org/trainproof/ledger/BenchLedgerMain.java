package org.trainproof.ledger;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.trainproof.bytes.Digest;
import org.trainproof.merkle.Hashes;
import org.trainproof.note.TlogProof;

/**
 * Ledger benchmark (not part of the test suite). Usage:
 * {@code java -cp target/classes:target/test-classes:DEPS org.trainproof.ledger.BenchLedgerMain DIR [ENTRIES] [BATCH] [RUNS]}
 * (docs/performance.md uses DIR = /tmp/bench-audit/ledger; the 1,000,000-entry file is 691 MB).
 * Appends ENTRIES metrics-like entries (~250 bytes each) in batches of BATCH (one signed
 * checkpoint per batch) unless DIR already holds that ledger from an earlier run (it is built
 * under a temporary name and renamed when complete, so a cached file is always whole; delete it
 * to rebuild), then times 200 inclusion proofs (generate + verify) in the fresh JVM, 1,000 more after them, and RUNS full audits (median,
 * process CPU time and the load average printed).
 */
public final class BenchLedgerMain {
    private BenchLedgerMain() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long n = args.length > 1 ? Long.parseLong(args[1]) : 1_000_000;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        Files.createDirectories(dir);
        int runs = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        Path db = dir.resolve("bench-" + n + "-" + batch + ".db");
        Random r = new Random(1);
        if (Files.exists(db)) {
            System.out.printf("reusing %s (%.1f MB; delete it to rebuild)%n", db, Files.size(db) / 1e6);
        } else {
            build(dir.resolve(db.getFileName() + ".building"), db, n, batch, r);
        }
        proveAndAudit(db, n, runs, r);
    }

    private static void build(Path tmp, Path db, long n, int batch, Random r) throws Exception {
        Files.deleteIfExists(tmp);
        long t0 = System.nanoTime();
        try (Ledger l = Ledger.init(tmp, LedgerFixtures.key(), LedgerFixtures.ORIGIN, null)) {
            long written = 1;
            int step = 0;
            while (written < n) {
                int k = (int) Math.min(batch, n - written);
                List<EntryDraft> drafts = new ArrayList<>(k);
                for (int i = 0; i < k; i++) {
                    ObjectNode b = JsonNodeFactory.instance.objectNode();
                    b.put("step", step++);
                    ObjectNode m = b.putObject("metrics");
                    m.put("loss", 2.0 + r.nextDouble());
                    m.put("lr", 6e-4 * r.nextDouble());
                    m.put("grad_norm", r.nextDouble());
                    m.put("tokens", step * 524288L);
                    b.put("source_sha256", Digest.sha256(new byte[] {(byte) i}).toString());
                    drafts.add(new EntryDraft("metrics", b));
                }
                l.append(drafts);
                written += k;
            }
        }
        double appendS = (System.nanoTime() - t0) / 1e9;
        Files.move(tmp, db);
        System.out.printf("append: %d entries in batches of %d: %.1f s = %.0f entries/s; file %.1f MB (load %s)%n",
                n, batch, appendS, n / appendS, Files.size(db) / 1e6, load());
    }

    static String load() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + "/" + f[1] + " (1/5 min)";
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    static double cpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
    }

    private static void proveAndAudit(Path db, long n, int runs, Random r) throws Exception {

        try (Ledger l = Ledger.openReadOnly(db)) {
            var key = LedgerFixtures.vkey();
            // First 200 in this fresh JVM (interpreter and JIT warm-up included), then 1,000 more.
            for (int[] phase : new int[][] {{0, 200}, {1, 1000}}) {
                double[] ms = new double[phase[1]];
                for (int i = 0; i < ms.length; i++) {
                    long idx = (long) (r.nextDouble() * n);
                    long s = System.nanoTime();
                    TlogProof p = l.prove(idx);
                    p.verify(Hashes.leaf(p.extra()), key);
                    ms[i] = (System.nanoTime() - s) / 1e6;
                }
                Arrays.sort(ms);
                System.out.printf("inclusion proof (open ledger, generate + verify, %d random indexes of %d, %s): median %.3f ms, p99 %.2f ms, max %.2f ms (load %s)%n",
                        ms.length, n, phase[0] == 0 ? "the first in this JVM" : "after those", ms[ms.length / 2], ms[ms.length * 99 / 100],
                        ms[ms.length - 1], load());
            }
        }
        double[] wall = new double[runs];
        double[] cpu = new double[runs];
        for (int run = 0; run < runs; run++) {
            long a0 = System.nanoTime();
            double c0 = cpuSeconds();
            AuditReport rep;
            try (Ledger l = Ledger.openReadOnly(db)) {
                rep = l.audit(new AuditRequest(LedgerFixtures.vkey(), null, null));
            }
            wall[run] = (System.nanoTime() - a0) / 1e9;
            cpu[run] = cpuSeconds() - c0;
            System.out.printf("full audit run %d: %d entries, %d checkpoints, clean=%s: %.2f s wall, %.2f CPU-s (load %s)%n",
                    run + 1, rep.entries(), rep.checkpoints(), rep.clean(), wall[run], cpu[run], load());
            if (!rep.clean()) throw new IllegalStateException("audit not clean");
        }
        Arrays.sort(wall);
        Arrays.sort(cpu);
        System.out.printf("full audit of %d entries: median %.2f s wall, %.2f CPU-s over %d runs (load %s)%n",
                n, wall[runs / 2], cpu[runs / 2], runs, load());
    }
}
