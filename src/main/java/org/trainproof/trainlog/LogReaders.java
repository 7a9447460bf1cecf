package org.trainproof.trainlog;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.trainproof.TrainproofException;

/**
 * Entry point of the training-log readers: {@link #detect(Path)} recognises a format by content
 * (a directory as a TensorBoard run, an MLflow store or an HF checkpoint directory), and
 * {@link #read(Path)} turns it into one normalised series plus findings. Bad data inside a log is a
 * finding; a missing file or something that is not a training log is
 * {@link TrainproofException#badInput} (exit 3).
 */
public final class LogReaders {
    /** How many bytes of a text file detection looks at (modded-nanogpt logs start with source code). */
    static final int SNIFF_BYTES = 1 << 20;

    private static final Pattern MLFLOW_LINE = Pattern.compile("^-?\\d+ \\S+( -?\\d+)?$");
    /** A dict the HF Trainer logs; found anywhere in the line, since a tqdm bar ending in \r usually precedes it. */
    private static final Pattern HF_TRAINER_KEY = Pattern.compile("\\{'(?:loss|eval_loss|train_runtime|learning_rate|grad_norm)'");
    private static final Pattern CSV_HEADER_CELL = Pattern.compile("[A-Za-z_][A-Za-z0-9_ ./\\-()]*");

    private LogReaders() {}

    /** Reads {@code path} in the format found by {@link #detect(Path)}. */
    public static LogReadResult read(Path path) {
        return read(path, detect(path));
    }

    /** Reads {@code path} as {@code format}. */
    public static LogReadResult read(Path path, LogFormat format) {
        return read(path, format, new RecordSink());
    }

    /**
     * Streams the records of {@code path} (read as {@code format}) to {@code each}, in file order, in
     * constant memory (plus 8 bytes per distinct (metric, step) for the duplicate check). The returned
     * result has the findings and file ranges; its record list is empty.
     */
    public static LogReadResult stream(Path path, LogFormat format, java.util.function.Consumer<MetricRecord> each) {
        return read(path, format, new RecordSink(java.util.Objects.requireNonNull(each, "each")));
    }

    /**
     * As {@link #stream(Path, LogFormat, java.util.function.Consumer)}, but a log whose records have no
     * training step (numbered by order, {@link LogFindings#STEPS_BY_ORDER}) is refused with a bad-input
     * error naming the file and line: for {@code record}, where every record is stored with its step.
     */
    public static LogReadResult streamWithSteps(Path path, LogFormat format, java.util.function.Consumer<MetricRecord> each) {
        return read(path, format, new RecordSink(java.util.Objects.requireNonNull(each, "each"), true));
    }

    /**
     * As {@link #streamWithSteps(Path, LogFormat, java.util.function.Consumer)}, where a ledger already
     * holds the start of some files: before reading each file (by the name its records carry) the
     * reader asks {@code resumeAt} where to start, and reads from there (0: the whole file). Only the
     * formats {@link #resumable} names call it; the findings are those of the part read.
     *
     * <p>JSON lines, W&amp;B history and MLflow metric files start at that byte (a line start; nothing
     * carries from one line to the next). TensorBoard files are walked from their start, the records
     * before it only for the state they declare (which plugin each tag belongs to, in its first event,
     * decides whether a later tensor value is a scalar) and otherwise dropped: no record, finding or
     * series check. CSV files likewise, the lines before it looked at only for the header row in force;
     * the llm.c console only for its last step line and the HF console for its progress bars; the other
     * text formats start at that line.
     */
    public static LogReadResult streamWithSteps(Path path, LogFormat format, java.util.function.ToLongFunction<String> resumeAt,
            java.util.function.Consumer<MetricRecord> each) {
        return read(path, format, resumable(format) ? resumeAt : f -> 0, new RecordSink(java.util.Objects.requireNonNull(each, "each"), true));
    }

    /**
     * Whether a read of {@code format} can resume where a ledger left off: every appended format (JSON
     * lines, W&amp;B history, MLflow metric files, TensorBoard, CSV, the text formats); not whole-file
     * JSON (trainer_state.json, Megatron golden values), which is read from its start.
     */
    public static boolean resumable(LogFormat format) {
        return format != LogFormat.HF_TRAINER_STATE && format != LogFormat.MEGATRON_GOLDEN && format != LogFormat.EMPTY;
    }

    private static LogReadResult read(Path path, LogFormat format, RecordSink sink) {
        return read(path, format, f -> 0, sink);
    }

    /** {@code resumeAt} names a start other than 0 only for the formats {@link #resumable} names. */
    private static LogReadResult read(Path path, LogFormat format, java.util.function.ToLongFunction<String> resumeAt0, RecordSink sink) {
        requireExists(path);
        java.util.function.ToLongFunction<String> resumeAt = f -> {
            long from = resumeAt0.applyAsLong(f);
            if (from < 0) throw new IllegalArgumentException("negative resume position " + from + " for " + f);
            return from;
        };
        String display = path.toString();
        switch (format) {
            case EMPTY -> sink.files.add(new LogReadResult.FileRange(display,
                    Files.isRegularFile(path) ? JsonLogReader.sizeOf(path) : 0, 0, 0));
            case TENSORBOARD -> TensorBoardReader.read(path, sink, resumeAt);
            case MLFLOW -> MlflowReader.read(path, sink, resumeAt);
            case JSONL, WANDB_HISTORY -> {
                Path f = file(path, "jsonl", "wandb-history.jsonl");
                JsonLogReader.readLines(f, f.toString(), format, resumeAt.applyAsLong(f.toString()), sink);
            }
            case HF_TRAINER_STATE -> JsonLogReader.readTrainerState(file(path, "trainer_state", "trainer_state.json"), sink);
            case MEGATRON_GOLDEN -> JsonLogReader.readMegatronGolden(requireFile(path), display, sink);
            case CSV -> CsvLogReader.read(requireFile(path), display, sink, resumeAt.applyAsLong(display));
            default -> TextLogReader.read(requireFile(path), display, format, sink, resumeAt.applyAsLong(display));
        }
        return sink.result(display, format);
    }

    private static void requireExists(Path p) {
        if (!Files.exists(p)) throw TrainproofException.badInput(p, "no such file or directory");
        if (!Files.isReadable(p)) throw TrainproofException.badInput(p, "not readable");
    }

    private static Path requireFile(Path p) {
        if (Files.isDirectory(p)) throw TrainproofException.badInput(p, "is a directory; this format is read from a file");
        return p;
    }

    /** For formats that may be given as a directory holding a file of a known name. */
    private static Path file(Path p, String fmt, String name) {
        if (!Files.isDirectory(p)) return p;
        Path f = p.resolve(name);
        if (Files.isRegularFile(f)) return f;
        Path g = p.resolve("files").resolve(name);
        if (Files.isRegularFile(g)) return g;
        throw TrainproofException.badInput(p, "directory holds no " + name + " (format " + fmt + ")");
    }

    /** Recognises the format of a file or directory by its content. */
    public static LogFormat detect(Path path) {
        requireExists(path);
        if (Files.isDirectory(path)) return detectDirectory(path);
        try {
            if (Files.size(path) == 0) return LogFormat.EMPTY;
            byte[] head;
            try (InputStream in = Files.newInputStream(path)) {
                head = in.readNBytes(SNIFF_BYTES);
            }
            if (TfRecords.looksLikeTfRecord(head)) return LogFormat.TENSORBOARD;
            for (int i = 0; i < Math.min(head.length, 8192); i++) {
                if (head[i] == 0) {
                    throw TrainproofException.badInput(path, "binary file (NUL byte at offset " + i
                            + ") that is not a TensorBoard event file: not a training log");
                }
            }
            LogFormat f = detectText(path, head);
            if (f == null) {
                throw TrainproofException.badInput(path, "not a recognised training log (no known record format in the first "
                        + Math.min(head.length, SNIFF_BYTES) + " bytes); use --format to force one");
            }
            return f;
        } catch (IOException e) {
            throw TrainproofException.badInput(path, "cannot read: " + e.getMessage(), e);
        }
    }

    private static LogFormat detectDirectory(Path dir) {
        try (Stream<Path> s = Files.walk(dir, 4)) {
            List<Path> all = s.toList();
            if (all.stream().anyMatch(p -> p.getFileName().toString().startsWith("events.out.tfevents."))) {
                return LogFormat.TENSORBOARD;
            }
            if (all.stream().anyMatch(p -> p.getFileName().toString().equals("meta.yaml")
                    && Files.isDirectory(p.resolveSibling("metrics")))) {
                return LogFormat.MLFLOW;
            }
            if (Files.isRegularFile(dir.resolve("trainer_state.json"))) return LogFormat.HF_TRAINER_STATE;
            if (Files.isRegularFile(dir.resolve("wandb-history.jsonl"))
                    || Files.isRegularFile(dir.resolve("files").resolve("wandb-history.jsonl"))) {
                return LogFormat.WANDB_HISTORY;
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            throw TrainproofException.badInput(dir, "cannot list directory: " + e.getMessage(), e);
        }
        throw TrainproofException.badInput(dir, "directory is not a TensorBoard run, an MLflow store (mlruns/), "
                + "an HF checkpoint directory or a W&B run directory");
    }

    private static LogFormat detectText(Path path, byte[] head) {
        String text = new String(head, StandardCharsets.UTF_8);
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        String[] lines = text.split("\r?\n", -1);
        int n = lines.length;
        if (head.length == SNIFF_BYTES && n > 1) n--; // the last line may be cut by the sniff window
        String firstNonBlank = null;
        for (int i = 0; i < n; i++) {
            if (!lines[i].isBlank()) {
                firstNonBlank = lines[i].trim();
                break;
            }
        }
        if (firstNonBlank == null) return LogFormat.EMPTY;
        String name = path.getFileName().toString();
        if (firstNonBlank.startsWith("{")) {
            LogFormat j = JsonLogReader.sniff(path, firstNonBlank, name);
            if (j != null) return j;
            // A damaged first line does not hide JSON Lines: any of the next lines that parses decides.
            int seen = 0;
            for (int i = 0; i < n && seen < 20; i++) {
                String l = lines[i].trim();
                if (!l.startsWith("{")) continue;
                seen++;
                if (JsonLogReader.isObjectLine(l)) return LogFormat.JSONL;
            }
        }
        // MLflow metric file: every line "<timestamp_ms> <value> [<step>]".
        boolean mlflow = n > 0;
        int mlLines = 0;
        for (int i = 0; i < n; i++) {
            if (lines[i].isEmpty()) continue;
            if (!MLFLOW_LINE.matcher(lines[i]).matches() || Numbers.parse(lines[i].split(" ")[1]) == null) {
                mlflow = false;
                break;
            }
            mlLines++;
        }
        if (mlflow && mlLines > 0) return LogFormat.MLFLOW;
        if (looksLikeCsv(lines, n)) return LogFormat.CSV;
        boolean kv = false;
        for (int i = 0; i < n; i++) {
            String l = lines[i];
            if (TextLogReader.LLMC_MAIN.matcher(l).matches()) return LogFormat.LLMC_MAIN_LOG;
            if (JsonLogReader.isFairseqLine(l)) return LogFormat.JSONL;
            if (TextLogReader.LLMC_CU_STEP.matcher(l).find() && l.contains("| loss ")) return LogFormat.LLMC_STDOUT;
            if (TextLogReader.LLMC_C_STEP.matcher(l).find()) return LogFormat.LLMC_STDOUT;
            if (TextLogReader.MODDED.matcher(l).matches()) return LogFormat.MODDED_NANOGPT;
            if (TextLogReader.NANOGPT_EVAL.matcher(l).find() || TextLogReader.NANOGPT_ITER.matcher(l).find()) {
                return LogFormat.NANOGPT;
            }
            if (TextLogReader.BUILD_NANOGPT.matcher(l.trim()).matches()) return LogFormat.BUILD_NANOGPT;
            String clean = TextLogReader.ANSI.matcher(l).replaceAll("");
            if (TextLogReader.MEGATRON_ITER.matcher(clean).find() && clean.contains("consumed samples")) return LogFormat.MEGATRON;
            if (TextLogReader.HF_DICT.matcher(l).find() && HF_TRAINER_KEY.matcher(l).find()) {
                return LogFormat.HF_CONSOLE;
            }
            if (!kv && TextLogReader.KV.matcher(l).find()) kv = true;
        }
        return kv ? LogFormat.KEY_VALUE_TEXT : null;
    }

    private static boolean looksLikeCsv(String[] lines, int n) {
        int h = 0;
        while (h < n && lines[h].isBlank()) h++;
        if (h >= n - 1) return false;
        String[] header = lines[h].split(",", -1);
        if (header.length < 2) return false;
        boolean stepCol = false;
        for (String c : header) {
            String t = c.trim();
            if (t.startsWith("\"") && t.endsWith("\"") && t.length() >= 2) t = t.substring(1, t.length() - 1);
            if (!CSV_HEADER_CELL.matcher(t).matches()) return false;
            if (CsvLogReader.STEP_COLUMNS.contains(t.toLowerCase(java.util.Locale.ROOT))) stepCol = true;
        }
        return stepCol && lines[h + 1].split(",", -1).length == header.length;
    }
}
