package org.trainproof.trainlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Red-team finding 4 (issue 20): a long line made the key=value matcher backtrack quadratically
 * (64 KiB of letters took 30 s, 2 MB ran past 60 s). Detection and reading must be linear; text
 * lines above {@link TextLogReader#MAX_TEXT_LINE} are skipped with a LOG_MALFORMED_RECORD finding.
 */
class LongLineTest {
    @TempDir
    Path dir;

    private Path write(String name, String before, int longLen, char fill, String after) throws IOException {
        Path p = dir.resolve(name);
        try (OutputStream o = Files.newOutputStream(p)) {
            o.write(before.getBytes(StandardCharsets.UTF_8));
            byte[] chunk = new byte[1 << 20];
            java.util.Arrays.fill(chunk, (byte) fill);
            for (int left = longLen; left > 0; left -= chunk.length) o.write(chunk, 0, Math.min(left, chunk.length));
            o.write('\n');
            o.write(after.getBytes(StandardCharsets.UTF_8));
        }
        return p;
    }

    @Test
    void fiftyMegabyteLine_keyValueLog_isSkippedWithFindingInSeconds() throws IOException {
        Path p = write("kv.log", "step=0 loss=2.5\n", 50 << 20, 'a', "step=1 loss=2.0\n");
        LogReadResult r = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> LogReaders.read(p));
        assertEquals(LogFormat.KEY_VALUE_TEXT, r.format());
        assertEquals(2, r.records().size(), r.records().toString());
        assertTrue(r.findings().stream().anyMatch(f -> f.code().equals(LogFindings.MALFORMED_RECORD)
                && Long.valueOf(2).equals(f.location().line()) && f.message().contains("longer than")), r.findings().toString());
    }

    @Test
    void fiftyMegabyteFirstLine_detectionFinishesInSeconds() throws IOException {
        Path p = write("first.log", "", 50 << 20, 'a', "step=1 loss=2.0\n");
        // Only the first 1 MiB is sniffed; that holds no record, so detection refuses it (exit 3), quickly.
        org.trainproof.TrainproofException e = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> org.junit.jupiter.api.Assertions.assertThrows(org.trainproof.TrainproofException.class, () -> LogReaders.detect(p)));
        assertTrue(e.getMessage().contains("not a recognised training log"), e.getMessage());
    }

    @Test
    void lineJustUnderTheLimit_isMatchedInLinearTime() throws IOException {
        // Letters, then digits: both once made every start position rescan the rest of the line.
        String longKv = "a".repeat(TextLogReader.MAX_TEXT_LINE / 2 - 10) + "1".repeat(TextLogReader.MAX_TEXT_LINE / 2 - 10);
        Path p = dir.resolve("under.log");
        Files.writeString(p, "step=0 loss=2.5\n" + longKv + " x=3\nstep=1 loss=2.0\n");
        LogReadResult r = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> LogReaders.read(p));
        assertTrue(r.records().stream().anyMatch(m -> m.metric().equals("x") && m.value() == 3.0), r.records().toString());
    }

    @Test
    void longDigitRun_hfConsoleProgress_isLinear() throws IOException {
        Path p = dir.resolve("hf.log");
        Files.writeString(p, " 10%|█ | 1/10 [00:01<00:09]\n{'loss': 2.5, 'learning_rate': 1e-4, 'epoch': 0.1}\n"
                + "1".repeat(TextLogReader.MAX_TEXT_LINE - 10) + "\n 20%|██ | 2/10 [00:02<00:08]\n{'loss': 2.0, 'epoch': 0.2}\n");
        LogReadResult r = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> LogReaders.read(p));
        assertEquals(LogFormat.HF_CONSOLE, r.format());
        assertTrue(r.records().stream().anyMatch(m -> m.step() == 2), r.records().toString());
    }
}
