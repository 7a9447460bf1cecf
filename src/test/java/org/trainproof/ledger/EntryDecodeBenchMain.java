package org.trainproof.ledger;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * On demand (not in the suite): CPU cost of {@link Entries#decode} (strict parse + re-canonicalize +
 * compare, what the audit does per entry) on 2,000 ~250-byte metrics entries like BenchLedgerMain's,
 * 7 passes of 100,000 decodes, median wall and process CPU per entry with the load average.
 *
 * <pre>java -cp target/classes:target/test-classes:$(cat cp.txt) org.trainproof.ledger.EntryDecodeBenchMain</pre>
 */
public final class EntryDecodeBenchMain {
    private EntryDecodeBenchMain() {}

    public static void main(String[] args) throws Exception {
        Random r = new Random(1);
        List<byte[]> es = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            ObjectNode b = JsonNodeFactory.instance.objectNode();
            b.put("step", i);
            ObjectNode m = b.putObject("metrics");
            m.put("loss", 2.0 + r.nextDouble());
            m.put("lr", 6e-4 * r.nextDouble());
            m.put("grad_norm", r.nextDouble());
            m.put("tokens", i * 524288L);
            b.put("source_sha256", "ab".repeat(32));
            ObjectNode e = JsonNodeFactory.instance.objectNode();
            e.put("seq", i);
            e.put("prev", "cd".repeat(32));
            e.put("kind", "metrics");
            e.put("time", "2026-12-05T08:00:00.123Z");
            e.set("body", b);
            es.add(CanonicalJson.canonicalize(e));
        }
        int passes = 7;
        double[] wall = new double[passes];
        double[] cpu = new double[passes];
        for (int run = 0; run < passes; run++) {
            long t = System.nanoTime();
            double c0 = BenchLedgerMain.cpuSeconds();
            for (int k = 0; k < 50; k++) for (byte[] b : es) Entries.decode(b);
            wall[run] = (System.nanoTime() - t) / 1e3 / 100_000;
            cpu[run] = (BenchLedgerMain.cpuSeconds() - c0) * 1e6 / 100_000;
            System.out.printf("pass %d: %.2f us/entry wall, %.2f CPU-us/entry (load %s)%n", run + 1, wall[run], cpu[run], BenchLedgerMain.load());
        }
        Arrays.sort(wall);
        Arrays.sort(cpu);
        System.out.printf("Entries.decode: median %.2f us wall, %.2f CPU-us per entry over %d passes (load %s)%n",
                wall[passes / 2], cpu[passes / 2], passes, BenchLedgerMain.load());
    }
}
