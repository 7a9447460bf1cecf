package org.trainproof.trainlog;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.ExitCode;
import org.trainproof.TrainproofException;

/**
 * "Never a crash": real logs cut at random lengths and with random bytes flipped, read both with
 * detection and with their own format forced, give a result or a bad-input error (exit 3), never any
 * other exception. Seeded, so a failure names a reproducible mutation.
 */
class MutationRobustnessTest {
    @TempDir
    Path dir;

    @Test
    void truncatedAndBitFlippedRealLogs_neverThrowAnythingButBadInput() throws IOException {
        Path logs = RealLogsTest.LOGS;
        Assumptions.assumeTrue(Files.isDirectory(logs), "../shared absent");
        List<Path> files = new ArrayList<>();
        try (var s = Files.walk(logs)) {
            s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().equals("MANIFEST.tsv"))
                    .filter(p -> {
                        try {
                            return Files.size(p) < 500_000;
                        } catch (IOException e) {
                            return false;
                        }
                    }).sorted().forEach(files::add);
        }
        assertTrue(files.size() >= 10, "found only " + files.size() + " files");
        Random rnd = new Random(20261129L);
        List<String> failures = new ArrayList<>();
        int cases = 0;
        for (Path f : files) {
            byte[] orig = Files.readAllBytes(f);
            LogFormat own = LogReaders.detect(f);
            int perFile = Integer.getInteger("trainlog.mutations", 12); // more locally: -Dtrainlog.mutations=200
            for (int k = 0; k < perFile; k++) {
                byte[] b;
                String what;
                if (k % 3 == 0) {
                    int cut = rnd.nextInt(orig.length + 1);
                    b = java.util.Arrays.copyOf(orig, cut);
                    what = "truncated-at-" + cut;
                } else {
                    b = orig.clone();
                    int flips = 1 + rnd.nextInt(8);
                    StringBuilder w = new StringBuilder("flipped");
                    for (int i = 0; i < flips; i++) {
                        int pos = rnd.nextInt(b.length);
                        int bit = rnd.nextInt(8);
                        b[pos] ^= (byte) (1 << bit);
                        w.append('-').append(pos).append('.').append(bit);
                    }
                    what = w.toString();
                }
                Path m = dir.resolve(f.getFileName().toString());
                Files.write(m, b);
                for (LogFormat forced : new LogFormat[] {null, own}) {
                    cases++;
                    try {
                        LogReadResult r = forced == null ? LogReaders.read(m) : LogReaders.read(m, forced);
                        for (LogReadResult.FileRange fr : r.files()) {
                            if (fr.stableEnd() > fr.size()) failures.add(f + " " + what + ": stable end beyond size");
                        }
                    } catch (TrainproofException e) {
                        if (e.exitCode() != ExitCode.BAD_INPUT) failures.add(f + " " + what + ": exit " + e.exitCode());
                    } catch (RuntimeException | StackOverflowError e) {
                        failures.add(f.getFileName() + " " + what + " format " + forced + ": " + e);
                    }
                }
            }
        }
        assertTrue(cases > 0);
        if (!failures.isEmpty()) fail(failures.size() + " of " + cases + " crashed:\n" + String.join("\n", failures.subList(0, Math.min(20, failures.size()))));
    }
}
