package org.trainproof.cli;

import java.io.PrintWriter;
import java.util.function.LongConsumer;

/**
 * Progress on stderr for long work, only when stderr is a terminal (nothing in pipes, files or CI):
 * a single line rewritten in place, at most a few times a second.
 */
final class Progress {
    private Progress() {}

    static boolean terminal() {
        return System.console() != null;
    }

    /** Progress of an audit: entries scanned so far, with the rate. */
    static LongConsumer forAudit(PrintWriter err) {
        if (!terminal()) return null;
        long start = System.nanoTime();
        long[] last = {0};
        return n -> {
            long now = System.nanoTime();
            if (now - last[0] < 250_000_000L) return;
            last[0] = now;
            double s = (now - start) / 1e9;
            err.printf("\rverify: %,d entries (%.0f/s)   ", n, n / Math.max(s, 1e-9));
            err.flush();
        };
    }
}
