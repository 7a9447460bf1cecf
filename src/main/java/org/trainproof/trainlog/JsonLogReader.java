package org.trainproof.trainlog;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.trainproof.TrainproofException;
import org.trainproof.verdict.Location;
import org.trainproof.verdict.Severity;

/**
 * JSON-based logs, all with Jackson streaming (no tree per line): JSON Lines (incl. W&B
 * {@code wandb-history.jsonl} and fairseq {@code --log-format json} lines), HF
 * {@code trainer_state.json} (formats.md §5.1) and Megatron-LM golden-values JSON. Python's bare
 * {@code NaN}/{@code Infinity} tokens are accepted (and reported by {@link SeriesChecks}).
 */
final class JsonLogReader {
    static final JsonFactory JSON = JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(64).maxNumberLength(400).maxStringLength(16 << 20).build())
            .build();

    /** Step keys in order of preference (W&B's {@code _step} is a log counter: formats.md §5.4). */
    static final List<String> STEP_KEYS = List.of("train/global_step", "trainer/global_step", "global_step", "step",
            "iteration", "iter", "num_updates", "valid_num_updates", "_step");
    static final Set<String> WALL_KEYS = Set.of("_timestamp", "timestamp", "wall_time", "walltime");
    static final Set<String> IGNORED_KEYS = Set.of("_runtime", "_wandb");
    static final Pattern FAIRSEQ = Pattern.compile("^\\S+ \\S+ \\| [A-Z]+ \\| \\S+ \\| \\{");

    private JsonLogReader() {}

    /** Detects the JSON-shaped formats from the first non-blank line, or null. */
    static LogFormat sniff(Path path, String firstLine, String name) {
        if (name.equals("wandb-history.jsonl")) return LogFormat.WANDB_HISTORY;
        LogFormat doc = sniffDocument(path);
        if (doc != null) return doc;
        if (isObjectLine(firstLine)) {
            return firstLine.contains("\"_step\"") && firstLine.contains("\"_runtime\"") ? LogFormat.WANDB_HISTORY : LogFormat.JSONL;
        }
        return null;
    }

    /** A whole JSON document: trainer_state or Megatron golden values, from its top-level keys (streaming, stops early). */
    private static LogFormat sniffDocument(Path path) {
        try (InputStream in = Files.newInputStream(path); JsonParser p = JSON.createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) return null;
            int seen = 0;
            while (p.nextToken() == JsonToken.FIELD_NAME && seen++ < 64) {
                String k = p.currentName();
                JsonToken t = p.nextToken();
                if (k.equals("log_history") && t == JsonToken.START_ARRAY) return LogFormat.HF_TRAINER_STATE;
                if (t == JsonToken.START_OBJECT) {
                    JsonToken t2 = p.nextToken();
                    while (t2 == JsonToken.FIELD_NAME) {
                        String k2 = p.currentName();
                        if (k2.equals("values") || k2.equals("start_step")) return LogFormat.MEGATRON_GOLDEN;
                        p.nextToken();
                        p.skipChildren();
                        t2 = p.nextToken();
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    static boolean isObjectLine(String line) {
        try (JsonParser p = JSON.createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) return false;
            p.skipChildren();
            return p.nextToken() == null;
        } catch (IOException e) {
            return false;
        }
    }

    static boolean isFairseqLine(String line) {
        return FAIRSEQ.matcher(line).find();
    }

    // ---------------------------------------------------------------- JSON Lines

    private static final class LineState {
        long ordinal;
        final List<String> names = new ArrayList<>();
        final List<Double> values = new ArrayList<>();
        final String[] stepByKey = new String[STEP_KEYS.size()];
        /** Non-numeric keys of the current line; reported when the line is done (media objects collapse to one). */
        final List<String> nonNumeric = new ArrayList<>();
    }

    /**
     * The lines from byte {@code from} on (a line start). Nothing carries over from one line to the
     * next that a ledger keeps: a line without a step is numbered by its order, which a read from the
     * middle would get wrong, but a ledger read refuses such lines ({@link RecordSink#stepsByOrder}).
     */
    static void readLines(Path path, String display, LogFormat format, long from, RecordSink sink) {
        LineState st = new LineState();
        long[] stable = {from};
        LineScanner.Scan sc = LineScanner.scan(path, from, (buf, off, len, lineNo, start, end, terminated) -> {
            int s = off, e = off + len;
            while (s < e && (buf[s] == ' ' || buf[s] == '\t')) s++;
            if (s == e) {
                if (terminated) stable[0] = end;
                return;
            }
            SourceRef src = new SourceRef(display, lineNo, -1, start, end);
            if (buf[s] != '{') {
                // fairseq: "date time | INFO | tag | {json}"
                int brace = indexOf(buf, s, e, (byte) '{');
                if (brace < 0 || !isFairseqLine(new String(buf, s, Math.min(e - s, brace - s + 1), java.nio.charset.StandardCharsets.UTF_8))) {
                    malformed(sink, src, terminated, "line is not a JSON object");
                    if (terminated) stable[0] = end;
                    return;
                }
                s = brace;
            }
            long before = sink.count();
            try {
                parseObjectLine(buf, s, e - s, src, st, sink);
            } catch (JsonProcessingException ex) {
                malformed(sink, src, terminated, "malformed JSON: " + org.trainproof.LibraryMessages.clean(ex.getOriginalMessage()));
            } catch (IOException ex) {
                throw TrainproofException.badInput(src.location(), "cannot read: " + ex.getMessage(), ex);
            }
            if (terminated) {
                stable[0] = end;
            } else if (sink.count() > before) {
                sink.finding(LogFindings.UNTERMINATED_LAST_LINE, Severity.INFO, "", src.location(),
                        "last line has no newline (file may still be written); read, but a ledger stops before it");
            }
        });
        sink.files.add(new LogReadResult.FileRange(display, sc.size(), stable[0], sc.lines()));
    }

    private static int indexOf(byte[] b, int s, int e, byte c) {
        for (int i = s; i < e; i++) if (b[i] == c) return i;
        return -1;
    }

    private static void malformed(RecordSink sink, SourceRef src, boolean terminated, String why) {
        if (terminated) {
            sink.finding(LogFindings.MALFORMED_RECORD, Severity.WARNING, "", src.location(), why + "; line skipped");
        } else {
            sink.finding(LogFindings.TRUNCATED_LAST_RECORD, Severity.WARNING, "", src.location(),
                    "last line is incomplete (" + why + "); not read");
        }
    }

    private static void parseObjectLine(byte[] buf, int off, int len, SourceRef src, LineState st, RecordSink sink)
            throws IOException {
        st.names.clear();
        st.values.clear();
        st.nonNumeric.clear();
        java.util.Arrays.fill(st.stepByKey, null);
        Double wall = null;
        try (JsonParser p = JSON.createParser(buf, off, len)) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw new com.fasterxml.jackson.core.JsonParseException(p, "not an object");
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                t = p.nextToken();
                int si = STEP_KEYS.indexOf(key);
                if (si >= 0 && t.isScalarValue()) {
                    st.stepByKey[si] = p.getText();
                    continue;
                }
                if (WALL_KEYS.contains(key) && t.isNumeric()) {
                    wall = p.getDoubleValue();
                    continue;
                }
                if (IGNORED_KEYS.contains(key)) {
                    p.skipChildren();
                    continue;
                }
                collect(p, t, key, src, st, sink, 0);
            }
            if (p.nextToken() != null) throw new com.fasterxml.jackson.core.JsonParseException(p, "trailing content after the object");
        }
        flushNonNumeric(st, sink, src);
        Long step = null;
        String badStep = null;
        for (int i = 0; i < st.stepByKey.length && step == null; i++) {
            if (st.stepByKey[i] != null) {
                step = Numbers.step(st.stepByKey[i]);
                if (step == null && badStep == null) badStep = st.stepByKey[i];
            }
        }
        if (step == null) {
            step = st.ordinal;
            if (!st.names.isEmpty()) {
                sink.finding(LogFindings.STEP_MISSING, Severity.WARNING, "", src.location(), badStep != null
                        ? Numbers.badStep(badStep) + "; numbered by line order"
                        : "JSON line has no step key (" + String.join(", ", STEP_KEYS) + "); numbered by line order");
                sink.stepsByOrder(src.location(), badStep);
            }
        }
        st.ordinal++;
        for (int i = 0; i < st.names.size(); i++) {
            sink.add(step, st.names.get(i), st.values.get(i), wall, src);
        }
    }

    /** Collects a numeric value (flattening nested objects with '.'), or reports a non-numeric one. */
    private static void collect(JsonParser p, JsonToken t, String key, SourceRef src, LineState st, RecordSink sink, int depth)
            throws IOException {
        switch (t) {
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                st.names.add(key);
                st.values.add(p.getDoubleValue());
            }
            case VALUE_STRING -> {
                Double d = Numbers.parse(p.getText()); // fairseq writes numbers as strings
                if (d != null) {
                    st.names.add(key);
                    st.values.add(d);
                } else {
                    st.nonNumeric.add(key);
                }
            }
            case VALUE_NULL -> { }
            case START_OBJECT -> {
                int n0 = st.names.size();
                int k0 = st.nonNumeric.size();
                boolean media = false;
                JsonToken u;
                while ((u = p.nextToken()) == JsonToken.FIELD_NAME) {
                    String k = p.currentName();
                    u = p.nextToken();
                    if (k.equals("_type")) media = true;
                    if (depth < 8) collect(p, u, key + "." + k, src, st, sink, depth + 1);
                    else p.skipChildren();
                }
                if (media) { // a W&B media object (image, video, histogram): not a metric
                    st.names.subList(n0, st.names.size()).clear();
                    st.values.subList(n0, st.values.size()).clear();
                    st.nonNumeric.subList(k0, st.nonNumeric.size()).clear();
                    st.nonNumeric.add(key);
                }
            }
            default -> {
                p.skipChildren();
                st.nonNumeric.add(key);
            }
        }
    }

    private static void flushNonNumeric(LineState st, RecordSink sink, SourceRef src) {
        for (String k : st.nonNumeric) nonNumeric(sink, k, src);
        st.nonNumeric.clear();
    }

    private static void nonNumeric(RecordSink sink, String key, SourceRef src) {
        sink.finding(LogFindings.NON_NUMERIC_VALUE, Severity.INFO, key, src.location(),
                "value of '" + key + "' is not a number (string, list or media object); skipped");
    }

    // ---------------------------------------------------------------- trainer_state.json

    static final Set<String> TRAINER_STATE_KEYS = Set.of("epoch", "global_step", "max_steps", "logging_steps",
            "eval_steps", "save_steps", "train_batch_size", "num_train_epochs", "num_input_tokens_seen", "total_flos",
            "log_history", "best_metric", "best_global_step", "best_model_checkpoint", "is_local_process_zero",
            "is_world_process_zero", "is_hyper_param_search", "trial_name", "trial_params", "stateful_callbacks");

    static void readTrainerState(Path path, RecordSink sink) {
        String display = path.toString();
        long size = sizeOf(path);
        long stable = 0;
        long entries = 0;
        try (InputStream in = Files.newInputStream(path); JsonParser p = JSON.createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw TrainproofException.badInput(path, "trainer_state.json must be a JSON object");
            }
            boolean sawHistory = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                JsonToken t = p.nextToken();
                if (key.equals("log_history") && t == JsonToken.START_ARRAY) {
                    sawHistory = true;
                    entries = readHistory(p, display, sink);
                    continue;
                }
                if (!TRAINER_STATE_KEYS.contains(key)) {
                    sink.finding(LogFindings.UNKNOWN_KEY, Severity.INFO, "state:" + key,
                            Location.file(display).withLine(p.currentTokenLocation().getLineNr()),
                            "unknown trainer_state key '" + key + "'; ignored");
                }
                p.skipChildren();
            }
            stable = size;
            if (!sawHistory) {
                sink.finding(LogFindings.EMPTY_LOG, Severity.WARNING, "log_history", Location.file(display),
                        "trainer_state.json has no log_history");
            }
        } catch (JsonProcessingException e) {
            sink.finding(LogFindings.TRUNCATED_LAST_RECORD, Severity.WARNING, "", Location.file(display)
                            .withLine(e.getLocation() == null ? 0 : e.getLocation().getLineNr()),
                    "JSON document ends early or is malformed (" + org.trainproof.LibraryMessages.clean(e.getOriginalMessage()) + "); entries before it kept");
            stable = sink.last() == null ? 0 : sink.last().end();
        } catch (IOException e) {
            throw TrainproofException.badInput(path, "cannot read: " + e.getMessage(), e);
        }
        if (sink.first() != null) {
            sink.finding(LogFindings.WINDOWED_AVERAGE, Severity.INFO, "", sink.first().location(),
                    "HF Trainer logs 'loss' as the average since the previous log (logging_steps window)");
        }
        sink.files.add(new LogReadResult.FileRange(display, size, stable, entries));
    }

    private static long readHistory(JsonParser p, String display, RecordSink sink) throws IOException {
        long index = 0;
        JsonToken t;
        LineState st = new LineState();
        while ((t = p.nextToken()) == JsonToken.START_OBJECT) {
            long start = p.currentTokenLocation().getByteOffset();
            long line = p.currentTokenLocation().getLineNr();
            st.names.clear();
            st.values.clear();
            Long step = null;
            boolean summary = false;
            SourceRef provisional = range(display, line, index, start, start, Long.MAX_VALUE);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                JsonToken v = p.nextToken();
                if (key.equals("step") && v.isNumeric()) {
                    step = Numbers.step(p.getText());
                    continue;
                }
                if (key.equals("train_runtime")) summary = true;
                collect(p, v, key, provisional, st, sink, 0);
            }
            long end = p.currentLocation().getByteOffset();
            SourceRef src = range(display, line, index, start, end, Long.MAX_VALUE);
            flushNonNumeric(st, sink, src);
            if (step == null) {
                sink.finding(LogFindings.STEP_MISSING, Severity.WARNING, "", src.location(),
                        "log_history entry without 'step' (e.g. predict metrics); skipped");
            } else {
                for (int i = 0; i < st.names.size(); i++) {
                    String n = st.names.get(i);
                    // The final summary's train_loss is the mean over the whole run, not the loss at that step.
                    sink.add(step, summary ? "summary/" + n : n, st.values.get(i), null, src);
                }
            }
            index++;
        }
        if (t != JsonToken.END_ARRAY) throw new com.fasterxml.jackson.core.JsonParseException(p, "log_history entries must be objects");
        return index;
    }

    // ---------------------------------------------------------------- Megatron golden values

    static void readMegatronGolden(Path path, String display, RecordSink sink) {
        long size = sizeOf(path);
        long stable = 0;
        long index = 0;
        try (InputStream in = Files.newInputStream(path); JsonParser p = JSON.createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw TrainproofException.badInput(path, "golden values must be a JSON object");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String metric = p.currentName();
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    sink.finding(LogFindings.UNKNOWN_KEY, Severity.INFO, metric, Location.file(display),
                            "top-level '" + metric + "' is not a metric object; ignored");
                    p.skipChildren();
                    continue;
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String k = p.currentName();
                    JsonToken v = p.nextToken();
                    if (!k.equals("values") || v != JsonToken.START_OBJECT) {
                        p.skipChildren();
                        continue;
                    }
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String stepText = p.currentName();
                        long start = p.currentTokenLocation().getByteOffset();
                        long line = p.currentTokenLocation().getLineNr();
                        JsonToken vt = p.nextToken();
                        // Jackson can misreport a field name's offset when its value ends the input: use the value's.
                        start = Math.min(start, p.currentTokenLocation().getByteOffset());
                        long end = p.currentLocation().getByteOffset();
                        SourceRef src = range(display, line, index++, start, end, size);
                        Long step = Numbers.step(stepText);
                        Double d = vt.isNumeric() ? Double.valueOf(p.getDoubleValue())
                                : vt == JsonToken.VALUE_STRING ? Numbers.parse(p.getText()) : null;
                        p.skipChildren();
                        if (step == null) {
                            sink.finding(LogFindings.MALFORMED_RECORD, Severity.WARNING, metric, src.location(),
                                    "golden value key '" + stepText + "' is not a step; skipped");
                        } else if (d == null) {
                            nonNumeric(sink, metric, src);
                        } else {
                            sink.add(step, metric, d, null, src);
                        }
                    }
                }
            }
            stable = size;
        } catch (JsonProcessingException e) {
            sink.finding(LogFindings.TRUNCATED_LAST_RECORD, Severity.WARNING, "", Location.file(display),
                    "JSON document ends early or is malformed (" + org.trainproof.LibraryMessages.clean(e.getOriginalMessage()) + "); values before it kept");
        } catch (IOException e) {
            throw TrainproofException.badInput(path, "cannot read: " + e.getMessage(), e);
        }
        sink.files.add(new LogReadResult.FileRange(display, size, stable, index));
    }

    /** A source range from parser offsets, clamped to {@code [0, size]} and ordered (parser offsets are advisory). */
    static SourceRef range(String display, long line, long index, long start, long end, long size) {
        long e = Math.max(0, Math.min(end, size));
        long b = Math.max(0, Math.min(start, e));
        return new SourceRef(display, line, index, b, e);
    }

    static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw TrainproofException.badInput(p, "cannot read: " + e.getMessage(), e);
        }
    }
}
