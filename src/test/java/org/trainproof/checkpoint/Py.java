package org.trainproof.checkpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Runs real Python (and torch) for tests that need files written by the real writers. */
final class Py {
    private Py() {}

    private static Boolean python;
    private static Boolean torch;

    static synchronized void assumePython() {
        if (python == null) python = ok("import pickle");
        Assumptions.assumeTrue(python, "python3 not runnable here: test skipped");
    }

    static synchronized void assumeTorch() {
        assumePython();
        if (torch == null) torch = ok("import torch");
        Assumptions.assumeTrue(torch, "python3 -c 'import torch' fails here: torch-written-file test skipped");
    }

    private static boolean ok(String code) {
        try {
            run(Path.of("."), code);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Runs {@code code} with python3 in {@code dir}, passing args as sys.argv[1:]; returns stdout; throws on failure. */
    static String run(Path dir, String code, String... args) {
        List<String> cmd = new ArrayList<>(List.of("python3", "-c", code));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("python timed out");
            }
            String s = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) throw new IllegalStateException("python failed (" + p.exitValue() + "): " + s);
            return s;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
