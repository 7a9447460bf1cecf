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

    /** {@link #check} at every line start of {@code log}, the text of {@code p}. */
    private static void checkEveryLineStart(Path p, LogFormat f, List<String> whole, String log) {
        TreeSet<Long> every = new TreeSet<>();
        byte[] b = log.getBytes(StandardCharsets.UTF_8);
        for (int i = 1; i <= b.length; i++) if (b[i - 1] == '\n') every.add((long) i);
        List<String> failures = new ArrayList<>();
        check(p, f, whole, every, failures);
        if (!failures.isEmpty()) fail(String.join("\n", failures));
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
        checkEveryLineStart(p, LogFormat.LLMC_STDOUT, whole, log);
    }

    /**
     * HF console: a dict takes the position of the training progress bar printed before it (eval bars,
     * with another total, do not count). Resumed at every line start, the bars of the recorded part
     * give the step: a TrainingArguments dump before the first bar, bars and dicts on one line (tqdm's
     * carriage returns), an eval bar between two training lines, a bar count of 2^63 or more that stops
     * its line in a whole read.
     */
    @Test
    void hfConsole_resumedAtEveryLineStart_stepFromTheBarsOfTheRecordedPart() throws IOException {
        String log = "TrainingArguments(\n_n_gpu=1,\nfsdp_config={'min_num_params': 0, 'xla': False},\nlearning_rate=5e-05,\n)\n"
                + "  0%|          | 0/100 [00:00<?, ?it/s]\r 10%|#         | 10/100 [00:05<00:45]{'loss': 2.5, 'grad_norm': 1.2, 'learning_rate': 5e-05, 'epoch': 0.1}\n"
                + "\r  0%|          | 0/8 [00:00<?, ?it/s]\r100%|##########| 8/8 [00:01<00:00]\n"
                + "{'eval_loss': 2.25, 'eval_runtime': 1.0, 'epoch': 0.1}\n"
                + " 20%|##        | 20/100 [00:10<00:40]\n"
                + "\n"
                + "{'loss': 2.0, 'grad_norm': np.float64(0.5), 'learning_rate': 4e-05, 'epoch': 0.2}\n"
                + " 25%|##        | 25/100 [00:12<00:38] 99999999999999999999/100 [\n"
                + "{'loss': 1.9, 'learning_rate': 3.5e-05, 'epoch': 0.25}\n"
                + " 30%|###       | 30/100 [00:15<00:35]{'loss': 1.75, 'learning_rate': 3e-05, 'epoch': 0.3} 31/100 [00:15<00:34]\n"
                + "{'eval_loss': 1.5, 'epoch': 0.31}\n";
        Path p = dir.resolve("console.txt");
        Files.writeString(p, log);
        assertEquals(LogFormat.HF_CONSOLE, LogReaders.detect(p));
        List<String> whole = read(p, LogFormat.HF_CONSOLE, 0);
        for (String want : List.of("train/loss@10=2.5", "val/loss@10=2.25", "train/loss@20=2.0", "train/loss@25=1.9", "train/loss@30=1.75",
                "val/loss@31=1.5")) {
            assertTrue(whole.stream().anyMatch(w -> w.endsWith(":" + want)), want + " in " + whole);
        }
        checkEveryLineStart(p, LogFormat.HF_CONSOLE, whole, log);
    }
}
