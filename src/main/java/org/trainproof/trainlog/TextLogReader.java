package org.trainproof.trainlog;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.trainproof.verdict.Severity;

/**
 * Line-oriented text logs: llm.c {@code main.log} and console output, nanoGPT, build-nanogpt
 * {@code log.txt}, modded-nanogpt record logs, Megatron-LM console logs, the Hugging Face Trainer's
 * console dict lines, and the {@code name: value} / {@code name=value} fallback (formats.md §5.6,
 * §5.8). Lines that match no record pattern (banners, progress bars, embedded source code) are
 * skipped silently; record patterns are anchored at the start of the line.
 */
final class TextLogReader {
    static final Pattern LLMC_MAIN = Pattern.compile("^s:(\\d+) (\\S+:.*)$");
    static final Pattern LLMC_CU_STEP = Pattern.compile("^step\\s+(\\d+)/(\\d+) \\| (.*)$");
    static final Pattern LLMC_C_STEP = Pattern.compile("^step (\\d+): train loss (\\S+) \\(took (\\S+) ms\\)");
    static final Pattern LLMC_VAL = Pattern.compile("^val loss (\\S+)");
    static final Pattern HELLASWAG = Pattern.compile("HellaSwag: \\d+/\\d+ = (\\S+)");
    static final Pattern NANOGPT_EVAL = Pattern.compile("^step (\\d+): train loss ([^,\\s]+), val loss ([^,\\s]+)");
    static final Pattern NANOGPT_ITER = Pattern.compile("^iter (\\d+): loss ([^,\\s]+), time ([^,\\s]+?)ms(?:, mfu ([^%\\s]+)%)?");
    static final Pattern BUILD_NANOGPT = Pattern.compile("^(\\d+) (train|val|hella) (\\S+)$");
    static final Pattern MODDED = Pattern.compile("^step:(\\d+)/(\\d+) (.*)$");
    static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;]*[A-Za-z]");
    static final Pattern LAUNCHER = Pattern.compile("^(?:\\[default\\d+\\]:|\\d+: )");
    static final Pattern MEGATRON_ITER = Pattern.compile("iteration\\s+(\\d+)/\\s*(\\d+) \\|(.*)$");
    static final Pattern MEGATRON_VAL = Pattern.compile("(validation|test)(?:-\\S+)? loss at iteration (\\d+)(?: on (validation|test) set)? \\|(.*)$");
    static final Pattern HF_DICT = Pattern.compile("\\{'[^']+': [^{}]*\\}");
    /** {@code 'key': value}; newer transformers print numpy/torch scalars as {@code np.float64(1.2)} or {@code tensor(1.2, ...)}. */
    static final Pattern HF_PAIR = Pattern.compile("'([^']+)': (?:[A-Za-z_][\\w.]*\\()?([^,})]+)");
    // The look-behinds and possessive quantifiers keep these two linear in the line length: without
    // them every position inside a long run of key characters or digits rescanned the rest of the
    // run (quadratic; a 64 KiB line of letters took 30 s). A match can only start where the original
    // patterns' leftmost match started, so what they match is unchanged.
    static final Pattern PROGRESS = Pattern.compile("(?<!\\d)(\\d++)/(\\d++) \\[");
    static final Pattern KV = Pattern.compile(
            "(?<![A-Za-z0-9_./\\-])[0-9./\\-]*+([A-Za-z_][A-Za-z0-9_./\\-]*+)\\s*+[:=]\\s*+"
            + "([-+]?+(?:\\d++\\.?+\\d*+(?:[eE][-+]?+\\d++)?+|\\.\\d++(?:[eE][-+]?+\\d++)?+|nan|NaN|inf|Inf|infinity|Infinity))(?![A-Za-z0-9_.])");
    /**
     * Text-log lines longer than this (1 MiB) are skipped with a {@link LogFindings#MALFORMED_RECORD}
     * finding naming file:line, before any pattern runs: no training framework prints such a line.
     */
    static final int MAX_TEXT_LINE = 1 << 20;
    static final java.util.Set<String> KV_STEP_KEYS = java.util.Set.of("step", "iter", "iteration", "global_step", "it", "s", "_step");

    private final LogFormat format;
    private final RecordSink sink;
    private final String file;
    // llm.c console: the 0-based index of the next optimizer step (val loss is printed before it).
    private long llmcNextStep = 0;
    // HF console: total of the first progress bar (the training bar) and its latest position.
    private long hfTrainTotal = -1;
    private long hfStep = -1;
    private long ordinal = 0;

    private TextLogReader(LogFormat format, RecordSink sink, String file) {
        this.format = format;
        this.sink = sink;
        this.file = file;
    }

    static void read(Path path, String display, LogFormat format, RecordSink sink) {
        read(path, display, format, sink, 0);
    }

    /**
     * Reads the lines from byte {@code from} on (a line start: where a ledger left off), as a whole read
     * would read them; line numbers stay the file's. Most formats are one line per record; the two that
     * carry a step across lines first look at the lines before it: llm.c's console for its last step line
     * ({@link #llmcNextStepBefore}), the HF console for its progress bars ({@link #hfStateBefore}). A
     * line without a step, numbered by its order, is refused by a read for a ledger, so that count is
     * never needed.
     */
    static void read(Path path, String display, LogFormat format, RecordSink sink, long from) {
        TextLogReader r = new TextLogReader(format, sink, display);
        if (from > 0 && format == LogFormat.LLMC_STDOUT) r.llmcNextStep = llmcNextStepBefore(path, from);
        if (from > 0 && format == LogFormat.HF_CONSOLE) r.hfStateBefore(path, from);
        long[] stable = {from};
        LineScanner.Scan sc = LineScanner.scan(path, from, (buf, off, len, lineNo, start, end, terminated) -> {
            SourceRef src = new SourceRef(display, lineNo, -1, start, end);
            if (len > MAX_TEXT_LINE) {
                sink.finding(LogFindings.MALFORMED_RECORD, Severity.WARNING, "", src.location(), "line of " + len
                        + " bytes is longer than the " + MAX_TEXT_LINE + "-byte limit for text-log lines; skipped");
                if (terminated) stable[0] = end;
                return;
            }
            String line = new String(buf, off, len, StandardCharsets.UTF_8);
            long before = sink.count();
            try {
                r.line(line, src);
            } catch (NumberFormatException e) {
                // found by FuzzHarness: a step or count of 2^63 or more ("0 train 4.1" with a 19-digit step) was exit 4
                java.util.regex.Matcher q = java.util.regex.Pattern.compile("\"(\\d{1,40})").matcher(String.valueOf(e.getMessage()));
                sink.finding(LogFindings.MALFORMED_RECORD, Severity.WARNING, "", src.location(), "the step or count "
                        + (q.find() ? q.group(1) + " " : "") + "is 2^63 or more, beyond any training step; line skipped");
            }
            if (terminated) {
                stable[0] = end;
            } else if (sink.count() > before) {
                sink.finding(LogFindings.UNTERMINATED_LAST_LINE, Severity.INFO, "", src.location(),
                        "last line has no newline (file may still be written); read, but a ledger stops before it");
            }
        });
        sink.files.add(new LogReadResult.FileRange(display, sc.size(), stable[0], sc.lines()));
        if (format == LogFormat.MEGATRON) {
            sink.finding(LogFindings.WINDOWED_AVERAGE, Severity.INFO, "", sink.first() == null
                    ? org.trainproof.verdict.Location.file(display) : sink.first().location(),
                    "Megatron-LM prints losses averaged over the --log-interval window");
        }
    }

    private void line(String raw, SourceRef src) {
        switch (format) {
            case LLMC_MAIN_LOG -> llmcMain(raw, src);
            case LLMC_STDOUT -> llmcStdout(raw, src);
            case NANOGPT -> nanogpt(raw, src);
            case BUILD_NANOGPT -> buildNanogpt(raw, src);
            case MODDED_NANOGPT -> modded(raw, src);
            case MEGATRON -> megatron(raw, src);
            case HF_CONSOLE -> hfConsole(raw, src);
            case KEY_VALUE_TEXT -> keyValue(raw, src);
            default -> throw new IllegalStateException("not a text format: " + format);
        }
    }

    private void value(long step, String name, String text, SourceRef src) {
        Double v = Numbers.parse(text);
        if (v == null) {
            sink.finding(LogFindings.NON_NUMERIC_VALUE, Severity.INFO, name, src.location(),
                    "value '" + text + "' of '" + name + "' is not a number; skipped");
            return;
        }
        sink.add(step, name, v, null, src);
    }

    private void llmcMain(String line, SourceRef src) {
        Matcher m = LLMC_MAIN.matcher(line);
        if (!m.matches()) return;
        long step = Long.parseLong(m.group(1));
        for (String tok : m.group(2).trim().split("\\s+")) {
            int c = tok.indexOf(':');
            if (c <= 0) continue;
            value(step, tok.substring(0, c), tok.substring(c + 1), src);
        }
    }

    /**
     * llm.c console: the step a val loss or HellaSwag line at byte {@code from} would be given, i.e. what
     * {@link #llmcStdout} leaves in {@code llmcNextStep} after the lines before it. Each step line sets it
     * whole, so it is the last step line before {@code from}, found reading lines backward (0 if there
     * is none). Only the step lines count (both patterns start with "step"), and a line a whole read
     * skips (over {@link #MAX_TEXT_LINE} bytes, or a step of 2^63 or more) is passed over here too.
     */
    private static long llmcNextStepBefore(Path path, long from) {
        long[] next = {0};
        LineScanner.backward(path, from, (buf, off, len) -> {
            if (len > MAX_TEXT_LINE || len < 4 || buf[off] != 's' || buf[off + 1] != 't') return true;
            String line = new String(buf, off, len, StandardCharsets.UTF_8);
            try {
                Matcher m = LLMC_CU_STEP.matcher(line);
                if (m.find()) {
                    next[0] = Long.parseLong(m.group(1)); // printed as step + 1, which is the next step
                    return false;
                }
                m = LLMC_C_STEP.matcher(line);
                if (m.find()) {
                    next[0] = Long.parseLong(m.group(1)) + 1;
                    return false;
                }
            } catch (NumberFormatException e) {
                // skipped by a whole read too
            }
            return true;
        });
        return next[0];
    }

    private void llmcStdout(String line, SourceRef src) {
        Matcher m = LLMC_CU_STEP.matcher(line);
        if (m.find()) {
            long step = Long.parseLong(m.group(1)) - 1; // printed as step+1 (formats.md §5.8)
            for (String part : m.group(3).split("\\|")) {
                String p = part.trim();
                if (p.isEmpty()) continue;
                String[] w = p.split("\\s+");
                if (p.startsWith("loss ")) value(step, "loss", w[1], src);
                else if (p.startsWith("norm ")) value(step, "grad_norm", w[1], src);
                else if (p.startsWith("lr ")) value(step, "lr", w[1], src);
                else if (p.endsWith(" ms") && w.length == 2) value(step, "train/step_time_ms", w[0], src);
                else if (p.endsWith("MFU") && w[0].endsWith("%")) value(step, "mfu", w[0].substring(0, w[0].length() - 1), src);
                else if (p.endsWith("tok/s") && w.length == 2) value(step, "tok/s", w[0], src);
            }
            llmcNextStep = step + 1;
            return;
        }
        m = LLMC_C_STEP.matcher(line);
        if (m.find()) {
            long step = Long.parseLong(m.group(1));
            value(step, "loss", m.group(2), src);
            value(step, "train/step_time_ms", m.group(3), src);
            llmcNextStep = step + 1;
            return;
        }
        m = LLMC_VAL.matcher(line);
        if (m.find()) {
            value(llmcNextStep, "val_loss", m.group(1), src);
            return;
        }
        m = HELLASWAG.matcher(line);
        if (m.find()) value(llmcNextStep, "hellaswag", m.group(1), src);
    }

    private void nanogpt(String line, SourceRef src) {
        Matcher m = NANOGPT_EVAL.matcher(line);
        if (m.find()) {
            long step = Long.parseLong(m.group(1));
            // nanoGPT's eval-time train loss is an estimate over eval_iters batches, not the step loss.
            value(step, "eval/train_loss", m.group(2), src);
            value(step, "val_loss", m.group(3), src);
            return;
        }
        m = NANOGPT_ITER.matcher(line);
        if (m.find()) {
            long step = Long.parseLong(m.group(1));
            value(step, "loss", m.group(2), src);
            value(step, "train/step_time_ms", m.group(3), src);
            if (m.group(4) != null) value(step, "mfu", m.group(4), src);
        }
    }

    private void buildNanogpt(String line, SourceRef src) {
        Matcher m = BUILD_NANOGPT.matcher(line.trim());
        if (!m.matches()) return;
        long step = Long.parseLong(m.group(1));
        String kind = switch (m.group(2)) {
            case "train" -> MetricNames.TRAIN_LOSS;
            case "val" -> MetricNames.VAL_LOSS;
            default -> "eval/hellaswag";
        };
        value(step, kind, m.group(3), src);
    }

    private void modded(String line, SourceRef src) {
        Matcher m = MODDED.matcher(line);
        if (!m.matches()) return;
        long step = Long.parseLong(m.group(1));
        // A validation line repeats the step number of the train line beside it with its own timer
        // readings: keep those under val/ so they are not reported as duplicated steps.
        boolean valLine = m.group(3).contains("val_loss:");
        for (String tok : m.group(3).trim().split("\\s+")) {
            int c = tok.indexOf(':');
            if (c <= 0) continue;
            String key = tok.substring(0, c);
            if (valLine && key.equals("train_time")) key = "val/train_time_ms";
            else if (valLine && key.equals("step_avg")) key = "val/step_avg_ms";
            String v = tok.substring(c + 1);
            double scale = 1;
            if (v.endsWith("ms")) v = v.substring(0, v.length() - 2);
            else if (v.endsWith("s") && !v.equalsIgnoreCase("nans")) {
                v = v.substring(0, v.length() - 1);
                scale = 1000; // track_3 records print train_time in seconds
            }
            Double d = Numbers.parse(v);
            if (d == null) {
                value(step, key, tok.substring(c + 1), src);
            } else {
                sink.add(step, key, d * scale, null, src);
            }
        }
    }

    private void megatron(String raw, SourceRef src) {
        String line = LAUNCHER.matcher(ANSI.matcher(raw).replaceAll("")).replaceFirst("");
        Matcher m = MEGATRON_ITER.matcher(line);
        if (m.find() && !line.contains("loss at iteration")) {
            long step = Long.parseLong(m.group(1));
            pairs(step, m.group(3), "", src);
            return;
        }
        m = MEGATRON_VAL.matcher(line);
        if (m.find()) {
            long step = Long.parseLong(m.group(2));
            boolean test = m.group(1).equals("test") || "test".equals(m.group(3));
            pairs(step, m.group(4), test ? "test/" : "val/", src);
        }
    }

    private void pairs(long step, String rest, String prefix, SourceRef src) {
        for (String part : rest.split("\\|")) {
            int c = part.lastIndexOf(": ");
            if (c <= 0) continue;
            String key = part.substring(0, c).trim();
            String v = part.substring(c + 2).trim();
            if (prefix.isEmpty()) {
                value(step, key, v, src);
            } else { // validation/test block: "lm loss value", "lm loss PPL", other "<key> value"
                String name = key.equals("lm loss value") ? "loss" : key.equals("lm loss PPL") ? "ppl" : key;
                value(step, prefix + name, v, src);
            }
        }
    }

    /**
     * HF console: the progress-bar state ({@code hfTrainTotal}, {@code hfStep}) the lines before byte
     * {@code from} leave, as {@link #hfConsole} leaves it: the total of the first bar in the file, and
     * the position of the last bar before {@code from} with that total. The first is found reading
     * forward from the start, the second reading lines backward from {@code from}, so the cost does not
     * grow with the file. Per line as in a whole read: bars outside its dicts only, a line over {@link
     * #MAX_TEXT_LINE} bytes skipped, a count of 2^63 or more ending the line. The dicts are not read:
     * one before the first training bar that holds a metric would have been refused when recorded.
     */
    private void hfStateBefore(Path path, long from) {
        final class Found extends RuntimeException {
            Found() {
                super(null, null, false, false);
            }
        }
        try {
            LineScanner.scan(path, (buf, off, len, lineNo, start, end, terminated) -> {
                if (start >= from || hfTrainTotal >= 0) throw new Found();
                if (len <= MAX_TEXT_LINE) hfBars(new String(buf, off, len, StandardCharsets.UTF_8), null);
            });
        } catch (Found done) {
            // the first bar's total is known, or the resume point is reached
        }
        if (hfTrainTotal < 0) return; // no bar before from: hfStep stays -1
        long[] last = {-1};
        LineScanner.backward(path, from, (buf, off, len) -> {
            if (len > MAX_TEXT_LINE) return true;
            hfBars(new String(buf, off, len, StandardCharsets.UTF_8), last);
            return last[0] < 0;
        });
        hfStep = last[0];
    }

    /**
     * The bars of one HF console line outside its dicts, as {@link #hfConsole} reads them: with {@code last}
     * null they update the state (the first bar sets the training total); otherwise {@code last[0]} gets
     * the line's last training-bar position, the state unchanged. A count of 2^63 or more ends the line.
     */
    private void hfBars(String line, long[] last) {
        Matcher d = HF_DICT.matcher(line);
        int searchFrom = 0;
        try {
            while (true) {
                boolean found = d.find();
                bars(line.substring(searchFrom, found ? d.start() : line.length()), last);
                if (!found) return;
                searchFrom = d.end();
            }
        } catch (NumberFormatException e) {
            // the whole read stops this line here too
        }
    }

    /**
     * The progress bars in a piece of an HF console line outside its dicts. With {@code last} null they
     * set the state: the first bar's total is the training bar's, and a bar with that total gives the
     * step (eval bars count batches, not steps). Otherwise {@code last[0]} gets the last training-bar
     * position and the state is left alone.
     */
    private void bars(String segment, long[] last) {
        Matcher p = PROGRESS.matcher(segment);
        while (p.find()) {
            long n = Long.parseLong(p.group(1));
            long total = Long.parseLong(p.group(2));
            if (last != null) {
                if (total == hfTrainTotal) last[0] = n;
                continue;
            }
            if (hfTrainTotal < 0) hfTrainTotal = total;
            if (total == hfTrainTotal) hfStep = n;
        }
    }

    private void hfConsole(String line, SourceRef src) {
        Matcher d = HF_DICT.matcher(line);
        int searchFrom = 0;
        while (true) {
            boolean found = d.find();
            int limit = found ? d.start() : line.length();
            bars(line.substring(searchFrom, limit), null);
            if (!found) return;
            if (hfStep < 0 && !hasMetricKey(d.group())) {
                // A dict before any training bar that holds no metric is configuration printed with the
                // TrainingArguments dump (fsdp_config={'min_num_params': 0, ...}), not a log record.
                searchFrom = d.end();
                continue;
            }
            long step;
            if (hfStep >= 0) {
                step = hfStep;
            } else {
                step = ordinal;
                sink.finding(LogFindings.STEP_MISSING, Severity.WARNING, "", src.location(),
                        "no training progress bar before this dict line; step numbered by record order");
                sink.stepsByOrder(src.location());
            }
            ordinal++;
            Matcher p2 = HF_PAIR.matcher(d.group());
            while (p2.find()) {
                String key = p2.group(1);
                if (key.equals("step")) continue;
                value(step, key, p2.group(2).trim(), src);
            }
            searchFrom = d.end();
        }
    }

    private static boolean hasMetricKey(String dict) {
        Matcher p = HF_PAIR.matcher(dict);
        while (p.find()) if (MetricNames.known(p.group(1))) return true;
        return false;
    }

    private void keyValue(String line, SourceRef src) {
        Matcher m = KV.matcher(line);
        Long step = null;
        String badStep = null;
        java.util.List<String[]> kv = new java.util.ArrayList<>();
        while (m.find()) {
            String k = m.group(1);
            if (step == null && KV_STEP_KEYS.contains(k.toLowerCase(java.util.Locale.ROOT))) {
                step = Numbers.step(m.group(2));
                if (step != null) continue;
                if (badStep == null && Numbers.parse(m.group(2).trim()) != null) badStep = m.group(2);
            }
            kv.add(new String[] {k, m.group(2)});
        }
        if (kv.isEmpty()) return;
        if (step == null) {
            step = ordinal;
            sink.finding(LogFindings.STEP_MISSING, Severity.WARNING, "", src.location(), badStep != null
                    ? Numbers.badStep(badStep) + "; records numbered by line order from 0"
                    : "line has no step key; records numbered by line order from 0");
            sink.stepsByOrder(src.location(), badStep);
        }
        ordinal++;
        for (String[] p : kv) value(step, p[0], p[1], src);
    }
}
