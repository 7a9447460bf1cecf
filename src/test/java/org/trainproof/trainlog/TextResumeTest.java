package org.trainproof.trainlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.TrainproofException;

/** Text logs read on from a line where a ledger left off give what a whole read gives from there. */
class TextResumeTest {
    static final Path REAL = Path.of("..", "shared", "realdata");

    @TempDir
    Path dir;

    private static List<String> read(Path p, LogFormat f, long from) {
        List<String> out = new ArrayList<>();
        LogReaders.streamWithSteps(p, f, x -> from, r -> out.add(r.source().start() + ":" + r.source().line() + ":" + r.metric() + "@" + r.step() + "=" + r.value()));
        return out;
    }

    private static long startOf(String w) {
        return Long.parseLong(w.substring(0, w.indexOf(':')));
    }

    /** Resumed at each of {@code starts}: the records from there equal the whole read's. */
    private static void check(Path p, LogFormat f, List<String> whole, Iterable<Long> starts, List<String> failures) {
        for (long from : starts) {
            List<String> expected = whole.stream().filter(w -> startOf(w) >= from).toList();
            List<String> got = read(p, f, from);
            if (!expected.equals(got)) {
                failures.add(p.getFileName() + " from byte " + from + ": " + expected.size() + " expected, " + got.size() + " read"
                        + (got.isEmpty() || expected.isEmpty() ? "" : "; first " + expected.get(0) + " / " + got.get(0)));
                return;
            }
        }
    }

    /** Line starts: up to 40 spread over the file, and each start of a line that follows a line matching {@code stateful}. */
    private static TreeSet<Long> starts(byte[] b, String stateful) {
        TreeSet<Long> all = new TreeSet<>();
        List<Long> lines = new ArrayList<>();
        for (int i = 1; i <= b.length; i++) if (b[i - 1] == '\n') lines.add((long) i);
        for (int k = 0; k < 40 && !lines.isEmpty(); k++) all.add(lines.get((int) ((long) k * lines.size() / 40)));
        if (stateful != null) {
            String text = new String(b, StandardCharsets.UTF_8);
            // the byte offset of each line that starts with the marker: a resume point just before a line that uses the state
            for (long at : lines) {
                if (at < b.length && new String(b, (int) at, (int) Math.min(stateful.length(), b.length - at), StandardCharsets.UTF_8).equals(stateful)) {
                    all.add(at);
                }
            }
            assertTrue(text.contains(stateful));
        }
        return all;
    }

    @Test
    void realTextLogs_resumedAtLineStarts_equalWholeReadFromThere() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(REAL), "../shared/realdata absent");
        List<Path> files;
        try (Stream<Path> s = Stream.concat(Files.walk(REAL.resolve("logs")), Files.walk(REAL.resolve("formats").resolve("llmc_log")))) {
            files = s.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".txt") || p.toString().endsWith(".log")).sorted().toList();
        }
        List<String> failures = new ArrayList<>();
        List<LogFormat> seen = new ArrayList<>();
        for (Path p : files) {
            LogFormat f = LogReaders.detect(p);
            if (!LogReaders.resumable(f) || f == LogFormat.JSONL || f == LogFormat.CSV) continue;
            List<String> whole;
            try {
                whole = read(p, f, 0);
            } catch (TrainproofException e) {
                continue; // no step column (the TinyStories log): a ledger refuses it whole or resumed
            }
            seen.add(f);
            check(p, f, whole, starts(Files.readAllBytes(p), f == LogFormat.LLMC_STDOUT ? "val loss" : null), failures);
        }
        assertTrue(seen.containsAll(List.of(LogFormat.LLMC_STDOUT, LogFormat.LLMC_MAIN_LOG, LogFormat.MODDED_NANOGPT, LogFormat.BUILD_NANOGPT)), seen.toString());
        if (!failures.isEmpty()) fail(String.join("\n", failures));
    }

    /**
     * llm.c console: a val loss line takes the step after the last step line before it. Resumed just
     * before it, the step comes from the recorded part; a step line a whole read skips (step 2^63 or
     * more, a line over 1 MiB) does not count there either.
     */
    @Test
    void llmcConsole_valLossAfterTheResumePoint_getsTheStepOfTheRecordedPart() throws IOException {
        String huge = "step " + "9".repeat(25) + ": train loss 1.0 (took 5.0 ms)\n";
        String tooLong = "step 99: train loss 1.0 (took 5.0 ms) " + "x".repeat((1 << 20) + 10) + "\n";
        String log = "step 0: train loss 4.0 (took 5.0 ms)\n"
                + "step 1: train loss 3.5 (took 5.0 ms)\n"
                + huge + tooLong
                + "val loss 3.25\n"
                + "step    3/10 | loss 3.0 (+nanz)| norm 1.5 (+nanz)| lr 1.00e-04 | 5.00 ms | 30.0% bf16 MFU | 1000 tok/s\n"
                + "val loss 3.1\n"
                + "HellaSwag: 10/100 = 0.1\n"
                + "step    4/10 | loss 2.9 (+nanz)| norm 1.4 (+nanz)| lr 1.00e-04 | 5.00 ms | 30.0% bf16 MFU | 1000 tok/s\n";
        Path p = dir.resolve("train.log");
        Files.writeString(p, log);
        assertEquals(LogFormat.LLMC_STDOUT, LogReaders.detect(p));
        List<String> whole = read(p, LogFormat.LLMC_STDOUT, 0);
        assertTrue(whole.stream().anyMatch(w -> w.contains(":val/loss@2=3.25")), whole.toString());
        assertTrue(whole.stream().anyMatch(w -> w.contains(":val/loss@3=3.1")), whole.toString());
        List<String> failures = new ArrayList<>();
        check(p, LogFormat.LLMC_STDOUT, whole, starts(log.getBytes(StandardCharsets.UTF_8), null), failures);
        TreeSet<Long> every = new TreeSet<>();
        byte[] b = log.getBytes(StandardCharsets.UTF_8);
        for (int i = 1; i <= b.length; i++) if (b[i - 1] == '\n') every.add((long) i);
        check(p, LogFormat.LLMC_STDOUT, whole, every, failures);
        if (!failures.isEmpty()) fail(String.join("\n", failures));
    }
}
