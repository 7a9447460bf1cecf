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

/** A CSV read resumed where a ledger left off gives what a whole read gives from there. */
class CsvResumeTest {
    @TempDir
    Path dir;

    private static List<String> read(Path p, long from) {
        List<String> out = new ArrayList<>();
        LogReaders.streamWithSteps(p, LogFormat.CSV, f -> from,
                r -> out.add(r.source().start() + ":" + r.source().line() + ":" + r.metric() + "@" + r.step() + "=" + r.value()));
        return out;
    }

    /**
     * Resumed at every line start of a log whose header changes twice (Lightning writes a wider
     * header when new metrics appear; the third header is quoted and puts the step column last), with
     * blank lines, rows whose first cell is text or empty (a note column): the rows after
     * each point are read with the header in force there, line numbers stay the file's.
     */
    @Test
    void resumedAtEveryLineStart_equalsWholeReadFromThere() throws IOException {
        String csv = String.join("\n",
                "step,train_loss",
                "0,2.5",
                "1,2.4",
                "",
                "note,step,train_loss,val_loss",
                "x,2,2.3,",
                "abc,3,2.2,2.9",
                ",4,2.1,2.8",
                "\"val_loss\",\"train_loss\",\"step\"",
                "2.6,1.9,5",
                "",
                "2.5,1.8,6",
                "");
        Path p = dir.resolve("metrics.csv");
        Files.writeString(p, csv);
        List<String> whole = read(p, 0);
        assertEquals(11, whole.size(), whole.toString());
        assertTrue(whole.get(9).endsWith(":12:val/loss@6=2.5") && whole.get(5).endsWith(":8:train/loss@4=2.1"), whole.toString());
        byte[] b = csv.getBytes(StandardCharsets.UTF_8);
        int starts = 0;
        for (int at = 1; at <= b.length; at++) {
            if (b[at - 1] != '\n') continue;
            starts++;
            long from = at;
            List<String> expected = whole.stream().filter(w -> Long.parseLong(w.substring(0, w.indexOf(':'))) >= from).toList();
            assertEquals(expected, read(p, from), "from byte " + from);
        }
        assertEquals(12, starts);
    }
}
