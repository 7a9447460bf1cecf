package org.trainproof.ledger;

import java.util.List;

/**
 * On-demand check (not in the suite): N edge-case and random doubles (default 2,000,000) formatted
 * by Node.js {@code String(x)} and by {@link CanonicalJson#number}, compared byte for byte; also
 * the formatting cost per value. Run from the project directory:
 *
 * <pre>java -cp target/classes:target/test-classes:$(cat cp.txt) org.trainproof.ledger.EcmaNumberNodeMain [N] [SEED]</pre>
 */
public final class EcmaNumberNodeMain {
    private EcmaNumberNodeMain() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
        long seed = args.length > 1 ? Long.parseLong(args[1]) : 8785;
        double[] values = EcmaNumberNode.values(n, seed);
        long t0 = System.nanoTime();
        List<EcmaNumberNode.Mismatch> bad = EcmaNumberNode.compare(values, EcmaNumberNode::ours);
        System.out.printf("%d doubles (seed %d): %d differ from Node.js %s String(x) (%.1f s)%n", values.length, seed, bad.size(),
                nodeVersion(), (System.nanoTime() - t0) / 1e9);
        for (int i = 0; i < Math.min(30, bad.size()); i++) System.out.println("  " + bad.get(i));
        // Formatting cost: 5 passes, median ns per value.
        double[] ns = new double[5];
        long sink = 0;
        for (int run = 0; run < ns.length; run++) {
            long s = System.nanoTime();
            for (double d : values) sink += EcmaNumberNode.ours(d).length();
            ns[run] = (System.nanoTime() - s) / (double) values.length;
        }
        java.util.Arrays.sort(ns);
        System.out.printf("CanonicalJson.number: median %.0f ns per value over 5 passes (load %s) [%d]%n", ns[2], BenchLedgerMain.load(), sink);
        if (!bad.isEmpty()) System.exit(1);
    }

    private static String nodeVersion() throws Exception {
        Process p = new ProcessBuilder("node", "--version").start();
        String v = new String(p.getInputStream().readAllBytes()).trim();
        p.waitFor();
        return v;
    }
}
