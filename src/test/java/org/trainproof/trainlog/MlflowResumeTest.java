package org.trainproof.trainlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An MLflow store read on from where a ledger left off, per metric file, gives what a whole read gives from there. */
class MlflowResumeTest {
    @TempDir
    Path dir;

    private static List<String> read(Path run, Path file, long from) {
        List<String> out = new ArrayList<>();
        LogReaders.streamWithSteps(run, LogFormat.MLFLOW, f -> f.equals(file.toString()) ? from : 0,
                r -> out.add(r.source().file() + "@" + r.source().start() + ":" + r.source().line() + ":" + r.metric() + "@" + r.step() + "=" + r.value()));
        return out;
    }

    @Test
    void resumedAtEveryLineStartOfEachMetricFile_equalsWholeReadFromThere() throws IOException {
        Path run = Files.createDirectories(dir.resolve("mlruns/0/abc"));
        Files.writeString(run.resolve("meta.yaml"), "run_id: abc\n");
        Path metrics = Files.createDirectories(run.resolve("metrics/train"));
        Path loss = run.resolve("metrics/loss"), acc = metrics.resolve("acc");
        String lossText = "1700000000000 2.5 0\n1700000001000 2.4 1\n\n1700000002000 not-a-number 2\n1700000003000 2.3 3\n1700000004000 2.2 4\n";
        String accText = "1700000000000 0.1 0\n1700000005000 0.2 5\n1700000009000 0.3 9\n";
        Files.writeString(loss, lossText);
        Files.writeString(acc, accText);
        List<String> whole = read(run, loss, 0);
        assertEquals(7, whole.size(), whole.toString());
        for (Path f : List.of(loss, acc)) {
            byte[] b = Files.readString(f).getBytes(StandardCharsets.UTF_8);
            int starts = 0;
            for (int at = 1; at <= b.length; at++) {
                if (b[at - 1] != '\n') continue;
                starts++;
                long from = at;
                List<String> expected = whole.stream().filter(w -> !w.startsWith(f + "@")
                        || Long.parseLong(w.substring(w.indexOf('@') + 1, w.indexOf(':'))) >= from).toList();
                assertEquals(expected, read(run, f, from), f + " from byte " + from);
            }
            assertTrue(starts >= 3);
        }
    }
}
