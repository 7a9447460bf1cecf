package org.trainproof.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;
import org.trainproof.TrainproofException;

/**
 * One output named on the command line ({@code --json FILE}, {@code --report FILE}, {@code --csv FILE},
 * {@code --out FILE}): a file, or {@code -} for standard output. The one overwrite policy of docs/cli.md:
 * an existing file is refused (usage error) unless {@code --force}; files are written beside the target
 * and moved into place, so a reader never sees half a file.
 */
record Output(String option, String value) {
    static final String STDOUT = "-";

    Output {
        Objects.requireNonNull(option);
        Objects.requireNonNull(value);
        if (value.isEmpty()) throw TrainproofException.usage(option + " needs a file name, or - for standard output");
    }

    /** {@code null} when the option was not given. */
    static Output of(String option, String value) {
        return value == null ? null : new Output(option, value);
    }

    boolean isStdout() {
        return STDOUT.equals(value);
    }

    Path path() {
        return Path.of(value);
    }

    /** Fails before any work is done when the file could not be written: it exists without --force, or its folder is missing. */
    void check(boolean force) {
        if (isStdout()) return;
        Path p = path();
        if (Files.isDirectory(p)) throw TrainproofException.usage(option + " " + value + ": is a directory");
        if (Files.exists(p) && !force) throw TrainproofException.usage(option + " " + value + ": exists; add --force to overwrite it");
        Path dir = p.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) throw TrainproofException.usage(option + " " + value + ": no such folder " + dir);
    }

    /** At most one output may be standard output; returns whether one is. */
    static boolean checkStdout(Output... outputs) {
        Output seen = null;
        for (Output o : outputs) {
            if (o == null || !o.isStdout()) continue;
            if (seen != null) throw TrainproofException.usage(seen.option + " and " + o.option + " cannot both be - (standard output)");
            seen = o;
        }
        return seen != null;
    }

    /** Something that writes text. */
    interface Body {
        void write(PrintWriter w) throws IOException;
    }

    /** Writes {@code body} to standard output ({@code stdout}) or to the file (beside it first, then moved). */
    void write(boolean force, PrintWriter stdout, Body body) throws IOException {
        if (isStdout()) {
            body.write(stdout);
            stdout.flush();
            return;
        }
        check(force);
        Path abs = path().toAbsolutePath();
        Path tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName(), ".tmp");
        try {
            try (PrintWriter w = new PrintWriter(new BufferedWriter(Files.newBufferedWriter(tmp, StandardCharsets.UTF_8), 1 << 16))) {
                body.write(w);
                if (w.checkError()) throw new IOException("write failed");
            }
            try {
                if (force) {
                    Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } else {
                    Files.move(tmp, abs); // fails if a file appeared meanwhile: never overwrite without --force
                }
            } catch (FileAlreadyExistsException e) {
                throw TrainproofException.usage(option + " " + value + ": exists; add --force to overwrite it");
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    void write(boolean force, PrintWriter stdout, String text) throws IOException {
        write(force, stdout, w -> w.write(text));
    }

    /** Prints a deprecation line for an old spelling, once, on standard error. */
    static void deprecated(PrintWriter err, String old, String now) {
        err.println("trainproof: " + old + " is deprecated and will be removed; write " + now);
        err.flush();
    }
}
