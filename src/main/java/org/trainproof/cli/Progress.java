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

    /** Byte progress: accept() from any thread; finish() ends the line if anything was printed. */
    static final class Bytes implements LongConsumer {
        private final String what;
        private final long total;
        private final PrintWriter err;
        private final long start = System.nanoTime();
        private final java.util.concurrent.atomic.AtomicLong done = new java.util.concurrent.atomic.AtomicLong();
        private final java.util.concurrent.atomic.AtomicLong last = new java.util.concurrent.atomic.AtomicLong();
        private volatile boolean printed;

        private Bytes(String what, long total, PrintWriter err) {
            this.what = what;
            this.total = total;
            this.err = err;
        }

        @Override
        public void accept(long n) {
            long d = done.addAndGet(n);
            long now = System.nanoTime();
            long prev = last.get();
            if (now - prev < 250_000_000L || !last.compareAndSet(prev, now)) return;
            double s = Math.max((now - start) / 1e9, 1e-9);
            double rate = d / s;
            double eta = rate > 0 ? Math.max(0, total - d) / rate : Double.NaN;
            synchronized (err) {
                err.printf("\r%s: %.2f / %.2f GB, %.0f MB/s, ETA %.0f s   ", what, d / 1e9, total / 1e9, rate / 1e6, eta);
                err.flush();
                printed = true;
            }
        }

        void finish() {
            if (printed) {
                synchronized (err) {
                    err.println();
                    err.flush();
                }
            }
        }
    }

    /**
     * Progress of hashing about {@code totalBytes} of checkpoint data (bytes, rate, ETA), rewritten in
     * place at most four times a second; null (no progress) when not on a terminal.
     */
    static Bytes forBytes(String what, long totalBytes, PrintWriter err) {
        return terminal() && totalBytes > 0 ? new Bytes(what, totalBytes, err) : null;
    }

    /** Total size of the files under a path (a file, or a directory's regular files); 0 if unreadable. */
    static long sizeOf(java.nio.file.Path p) {
        try (java.util.stream.Stream<java.nio.file.Path> s = java.nio.file.Files.walk(p)) {
            return s.filter(java.nio.file.Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return 0;
        }
    }
}
