package org.trainproof.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.function.IntSupplier;
import org.trainproof.ExitCode;

/** Process entry point: runs the command line on the real streams and exits with its code. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        int code = guarded(err, () -> Cli.run(out, err, args));
        out.flush();
        err.flush();
        System.exit(code);
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
