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
 * {@code java -cp target/classes:target/test-classes:DEPS org.trainproof.ledger.BenchLedgerMain DIR [ENTRIES] [BATCH]}.
 * Appends ENTRIES metrics-like entries (~250 bytes each) in batches of BATCH (one signed
 * checkpoint per batch), then times 200 inclusion proofs (generate + verify) and one full audit.
 */
public final class BenchLedgerMain {
    private BenchLedgerMain() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long n = args.length > 1 ? Long.parseLong(args[1]) : 1_000_000;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        Files.createDirectories(dir);
        Path db = dir.resolve("bench-" + n + "-" + batch + ".db");
        Files.deleteIfExists(db);
        Random r = new Random(1);
        long t0 = System.nanoTime();
        try (Ledger l = Ledger.init(db, LedgerFixtures.key(), LedgerFixtures.ORIGIN, null)) {
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
        System.out.printf("append: %d entries in batches of %d: %.1f s = %.0f entries/s; file %.1f MB%n",
                n, batch, appendS, n / appendS, Files.size(db) / 1e6);

        try (Ledger l = Ledger.openReadOnly(db)) {
            var key = LedgerFixtures.vkey();
            double[] ms = new double[200];
            for (int i = 0; i < ms.length; i++) {
                long idx = (long) (r.nextDouble() * n);
                long s = System.nanoTime();
                TlogProof p = l.prove(idx);
                p.verify(Hashes.leaf(p.extra()), key);
                ms[i] = (System.nanoTime() - s) / 1e6;
            }
            Arrays.sort(ms);
            System.out.printf("inclusion proof (open ledger, generate + verify, 200 random indexes of %d): median %.2f ms, p99 %.2f ms, max %.2f ms%n",
                    n, ms[100], ms[197], ms[199]);
        }
        long a0 = System.nanoTime();
        AuditReport rep;
        try (Ledger l = Ledger.openReadOnly(db)) {
            rep = l.audit(new AuditRequest(LedgerFixtures.vkey(), null, null));
        }
        double auditS = (System.nanoTime() - a0) / 1e9;
        System.out.printf("full audit: %d entries, %d checkpoints, clean=%s: %.1f s%n", rep.entries(), rep.checkpoints(), rep.clean(), auditS);
    }
}
