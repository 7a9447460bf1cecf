package org.trainproof.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.function.IntSupplier;
import org.trainproof.ExitCode;
import org.trainproof.ledger.sqlite.SqliteNative;

/** Process entry point: runs the command line on the real streams and exits with its code. */
public final class Main {
    private Main() {}

    /** The commands that sign or verify Ed25519 signatures: {@link WarmUp} builds BouncyCastle's tables for them. */
    static final java.util.Set<String> SIGNING = java.util.Set.of(
            "keygen", "init", "record", "head", "log", "prove", "verify-proof", "verify", "merge-verify", "witness", "timestamp");
    /** The commands that open a ledger: {@link WarmUp} readies SQLite for them. */
    static final java.util.Set<String> LEDGER = java.util.Set.of(
            "init", "record", "head", "log", "prove", "verify", "merge-verify", "witness", "timestamp");

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        System.exit(execute(out, err, args));
    }

    /**
     * What {@link #main} does before it exits: the command line on these streams, with its exit code.
     * {@link CdsTraining} runs its workload through here, so the class-data archive holds what a real
     * start loads (this method's lambda, {@link WarmUp}), not only what {@link Cli#run} does.
     */
    static int execute(PrintWriter out, PrintWriter err, String... args) {
        warmUp(args);
        int code = guarded(err, () -> Cli.run(out, err, args));
        out.flush();
        err.flush();
        return code;
    }

    /**
     * For a command that signs, verifies or opens a ledger, starts one thread that does the one-time work
     * its first signature and first connection would do, so a second core does it while this one parses
     * the command line and reads the key: BouncyCastle's Ed25519 base-point tables (26–30 ms at C1 on the
     * 2-core EPYC host, measured in a fresh JVM) and SQLite's start ({@link SqliteNative#warmUp}, ≈ 60
     * ms), of a {@code record} that took ≈ 0.4 s. The code that needs either waits on the library's own
     * lock if the thread is not done. No input, nothing written that the first connection would not write.
     */
    static void warmUp(String[] args) {
        String cmd = null;
        for (String a : args) {
            if (!a.startsWith("-")) {
                cmd = a;
                break;
            }
        }
        if (cmd == null) return;
        boolean tables = SIGNING.contains(cmd);
        boolean sqlite = LEDGER.contains(cmd);
        if (!tables && !sqlite) return;
        Thread t = new Thread(new WarmUp(tables, sqlite), "trainproof-warm-up");
        t.setDaemon(true);
        t.start();
    }

    /** A class, not a lambda: a lambda's first use costs its bootstrap at startup. */
    private static final class WarmUp implements Runnable {
        private final boolean tables;
        private final boolean sqlite;

        WarmUp(boolean tables, boolean sqlite) {
            this.tables = tables;
            this.sqlite = sqlite;
        }

        @Override
        public void run() {
            if (tables) org.bouncycastle.math.ec.rfc8032.Ed25519.precompute();
            if (sqlite) SqliteNative.warmUp();
        }
    }

    /**
     * Runs {@code run}; an OutOfMemoryError becomes one line and exit 4 (internal), not the JVM's stack trace
     * and exit 1 — which would read as "integrity failure". A ledger write is one SQLite transaction, so an
     * interrupted {@code record} leaves the ledger as it was.
     */
    static int guarded(PrintWriter err, IntSupplier run) {
        try {
            return run.getAsInt();
        } catch (OutOfMemoryError e) {
            long maxMb = Runtime.getRuntime().maxMemory() >> 20;
            err.println("trainproof: out of memory (" + e.getMessage() + "; maximum heap " + maxMb + " MB): run again with a larger heap,"
                    + " e.g. java -Xmx" + Math.max(2, 2 * ((maxMb + 1023) >> 10)) + "g -jar trainproof.jar ...");
            err.flush();
            return ExitCode.INTERNAL;
        }
    }
}
