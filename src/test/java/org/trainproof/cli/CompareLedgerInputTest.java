package org.trainproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.ExitCode;

/** {@code compare LEDGER@step}: the checkpoint a ledger certifies at a step, never other weights. */
class CompareLedgerInputTest {
    @TempDir
    Path tmp;

    private Path copy(String fixture) throws IOException {
        Path from = Path.of("fixtures", fixture);
        Path to = tmp.resolve(from.getFileName());
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path d = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(d);
                else Files.copy(p, d);
            }
        }
        return to;
    }

    private static int compare(StringBuilder msg, String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        String[] all = new String[args.length + 1];
        all[0] = "compare";
        System.arraycopy(args, 0, all, 1, args.length);
        int code = Cli.run(new PrintWriter(out), new PrintWriter(err), all);
        msg.append(out).append(err);
        return code;
    }

    @Test
    void ledgerAtStep_comparesTheCertifiedCheckpoint_andRefusesChangedOrMissingOnes() throws IOException {
        assumeTrue(Files.isDirectory(Path.of("fixtures", "scratch")), "no committed fixtures");
        Path scratch = copy("scratch"), derived = copy("derived"), changed = copy("tampered/checkpoint-file-changed");
        StringBuilder m = new StringBuilder();
        // Derived from scratch's final weights: dependent (exit 6), read through both ledgers.
        assertEquals(ExitCode.INCONSISTENT, compare(m, scratch.resolve("ledger.db") + "@200", derived.resolve("ledger.db") + "@75"), m.toString());
        // The file beside the ledger no longer has the recorded root: integrity failure, no comparison.
        m.setLength(0);
        assertEquals(ExitCode.INTEGRITY, compare(m, changed.resolve("ledger.db") + "@100", derived.resolve("ledger.db") + "@75"), m.toString());
        assertTrue(m.toString().contains("does not match the checkpoint recorded at step 100"), m.toString());
        m.setLength(0);
        assertEquals(ExitCode.BAD_INPUT, compare(m, scratch.resolve("ledger.db") + "@999", derived.resolve("ledger.db") + "@75"), m.toString());
        m.setLength(0);
        assertEquals(ExitCode.USAGE, compare(m, scratch.resolve("ledger.db") + "@x", derived.resolve("ledger.db") + "@75"), m.toString());
    }

    @Test
    void ledgerAtStep_findsTheCheckpointInArtifactsDir() throws IOException {
        assumeTrue(Files.isDirectory(Path.of("fixtures", "scratch")), "no committed fixtures");
        Path scratch = copy("scratch");
        Path alone = Files.createDirectories(tmp.resolve("ledger-only"));
        Files.move(scratch.resolve("ledger.db"), alone.resolve("ledger.db"));
        String derived = Path.of("fixtures", "derived", "step-75.safetensors").toString();
        StringBuilder m = new StringBuilder();
        // The checkpoints are not beside the ledger: refused, naming where it looked.
        assertEquals(ExitCode.BAD_INPUT, compare(m, alone.resolve("ledger.db") + "@200", derived), m.toString());
        assertTrue(m.toString().contains("is not beside the ledger"), m.toString());
        // --artifacts DIR: found there (and re-hashed against the ledger), compared: derived, exit 6.
        m.setLength(0);
        assertEquals(ExitCode.INCONSISTENT, compare(m, alone.resolve("ledger.db") + "@200", derived, "--artifacts", scratch.toString()), m.toString());
        // a changed file in DIR is an integrity failure, not a comparison
        m.setLength(0);
        Files.copy(Path.of("fixtures", "scratch", "step-175.safetensors"), scratch.resolve("step-200.safetensors"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertEquals(ExitCode.INTEGRITY, compare(m, alone.resolve("ledger.db") + "@200", derived, "--artifacts", scratch.toString()), m.toString());
    }
}
