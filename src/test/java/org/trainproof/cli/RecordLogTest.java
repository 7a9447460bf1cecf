package org.trainproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.ExitCode;
import org.trainproof.ledger.AuditRequest;
import org.trainproof.ledger.Ledger;
import org.trainproof.ledger.LedgerFindings;
import org.trainproof.ledger.LedgerMetrics;
import org.trainproof.trainlog.LogReadResult;
import org.trainproof.trainlog.LogReaders;
import org.trainproof.trainlog.MetricRecord;

/** record --log end to end: resume from the ledger, rewritten files, altered history, verify --artifacts. */
class RecordLogTest {
    static final Path LOGS = Path.of("..", "shared", "realdata", "logs");
    private static final ObjectMapper M = new ObjectMapper();

    @TempDir
    Path dir;

    Path key;
    Path db;
    Path run;

    @BeforeEach
    void setUp() throws IOException {
        assertEquals(0, CliRun.run("keygen", "--name", "example.com/lab", "--out", dir.resolve("k")).code());
        key = dir.resolve("k.key");
        db = dir.resolve("ledger.db");
        CliRun i = CliRun.run("init", db, "--key", key, "--origin", "example.com/runs/1");
        assertEquals(0, i.code(), i.toString());
        run = Files.createDirectories(dir.resolve("run"));
    }

    /** The paths under {@code root} that {@code keep} accepts, sorted. */
    private static List<Path> filesUnder(Path root, java.util.function.Predicate<Path> keep) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(keep).sorted().toList();
        }
    }

    /** A new ledger in the new folder dir/NAME, which {@link #db} then names; returns the folder. */
    private Path freshLedger(String name) throws IOException {
        Path d = Files.createDirectories(dir.resolve(name));
        db = d.resolve("l.db");
        assertEquals(0, CliRun.run("init", db, "--key", key, "--origin", "example.com/" + name).code());
        return d;
    }

    private CliRun record(Object... more) {
        List<Object> a = new ArrayList<>(List.of("record", db, "--key", key));
        a.addAll(List.of(more));
        return CliRun.run(a.toArray());
    }

    private static String jsonl(int from, int to) {
        StringBuilder b = new StringBuilder();
        for (int s = from; s < to; s++) {
            b.append("{\"step\": ").append(s).append(", \"loss\": ").append(10.0 - s * 0.01).append(", \"lr\": ")
                    .append(s * 1e-5).append("}\n");
        }
        return b.toString();
    }

    /** Per metric: the (step, value bits, wall time) sequence, as the readers give it and as the ledger holds it. */
    static Map<String, List<String>> fromReader(List<MetricRecord> records) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (MetricRecord r : records) {
            m.computeIfAbsent(r.metric(), k -> new ArrayList<>())
                    .add(r.step() + ":" + Double.doubleToLongBits(r.value()) + ":" + (r.wallTime() == null ? Double.NaN : r.wallTime()));
        }
        return m;
    }

    static Map<String, List<String>> fromLedger(Path db) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        try (Ledger l = Ledger.openReadOnly(db)) {
            LedgerMetrics.read(l).forEach((name, s) -> {
                List<String> rows = new ArrayList<>();
                for (int i = 0; i < s.size(); i++) rows.add(s.step(i) + ":" + Double.doubleToLongBits(s.value(i)) + ":" + s.wallTime(i));
                m.put(name, rows);
            });
        }
        return m;
    }

    private JsonNode verifyJson(Path artifacts, int expectCode) throws IOException {
        Path json = dir.resolve("report-" + System.nanoTime() + ".json");
        CliRun v = CliRun.run("verify", db, "--key", dir.resolve("k.pub"), "--integrity-only", "--artifacts", artifacts, "--json", json);
        assertEquals(expectCode, v.code(), v.toString());
        return M.readTree(json.toFile());
    }

    private static List<JsonNode> findings(JsonNode report, String code) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode c : report.path("checks")) {
            for (JsonNode f : c.path("findings")) if (f.path("code").asText().equals(code)) out.add(f);
        }
        return out;
    }

    @Test
    void jsonl_recordedInPieces_ledgerHoldsEveryRecordExactlyOnce() throws IOException {
        Path log = run.resolve("train.jsonl");
        Files.writeString(log, jsonl(0, 30) + "{\"step\": 30, \"loss\": 9.7"); // a live file: last line unterminated
        CliRun r1 = record("--log", log);
        assertEquals(0, r1.code(), r1.toString());
        assertTrue(r1.out().contains("60 new records"), r1.out());
        Files.writeString(log, ", \"lr\": 0.0003}\n" + jsonl(31, 50), StandardOpenOption.APPEND);
        CliRun r2 = record("--log", log);
        assertEquals(0, r2.code(), r2.toString());
        assertTrue(r2.out().contains("40 new records"), r2.out());
        CliRun r3 = record("--log", log);
        assertEquals(0, r3.code(), r3.toString());
        assertTrue(r3.out().contains("nothing new"), r3.out());
        assertEquals(fromReader(LogReaders.read(log).records()), fromLedger(db));
        JsonNode rep = verifyJson(run, ExitCode.OK);
        assertEquals(1, rep.path("integrity").path("artifacts_hashed").asLong(), rep.toString());
    }

    @Test
    void jsonl_byteChangedInRecordedRange_recordRefusesAndVerifyNamesRangeAndStep() throws IOException {
        Path log = run.resolve("train.jsonl");
        Files.writeString(log, jsonl(0, 40));
        assertEquals(0, record("--log", log).code());
        String text = Files.readString(log);
        int at = text.indexOf("\"step\": 25,");
        Files.writeString(log, text.substring(0, at) + text.substring(at).replaceFirst("\"loss\": 9\\.75", "\"loss\": 9.15"));
        Files.writeString(log, jsonl(40, 45), StandardOpenOption.APPEND);
        CliRun r = record("--log", log);
        assertEquals(ExitCode.INTEGRITY, r.code(), r.toString());
        assertTrue(r.err().contains(LedgerFindings.LOG_HISTORY_REWRITTEN), r.err());
        JsonNode rep = verifyJson(run, ExitCode.INTEGRITY);
        List<JsonNode> f = findings(rep, LedgerFindings.ARTIFACT_DIGEST_MISMATCH);
        assertEquals(1, f.size(), rep.toString());
        assertTrue(f.get(0).path("location").path("step").asLong() <= 25, f.toString());
        assertTrue(f.get(0).path("message").asText().contains("bytes ["), f.toString());
    }

    /**
     * A log without a step column cannot go into a ledger: numbering by order restarts at every resumed read
     * (a second record would store steps 0, 1 again), and verify would read record 0 as the step-0 loss. Refused
     * with file and line, nothing appended; the records with steps before it are kept.
     */
    @Test
    void jsonl_withoutSteps_refusedWithFileAndLine_nothingAppended() throws IOException {
        Path log = run.resolve("train.jsonl");
        Files.writeString(log, jsonl(0, 5));
        assertEquals(0, record("--log", log).code());
        long before = fromLedger(db).size();
        Files.writeString(log, "{\"loss\": 2.1}\n{\"loss\": 1.9}\n", StandardOpenOption.APPEND);
        CliRun r = record("--log", log);
        assertEquals(ExitCode.BAD_INPUT, r.code(), r.toString());
        assertTrue(r.err().contains("train.jsonl:6") && r.err().contains("no training step"), r.err());
        assertEquals(before, fromLedger(db).size());
        verifyJson(run, ExitCode.OK);
    }

    /**
     * The recorded history is checked before anything is read (the read starts where the ledger left
     * off): a byte changed in it is refused even when no line was appended since.
     */
    @Test
    void jsonl_byteChangedAndNothingNew_stillRefused() throws IOException {
        Path log = run.resolve("train.jsonl");
        Files.writeString(log, jsonl(0, 30));
        assertEquals(0, record("--log", log).code());
        Files.writeString(log, Files.readString(log).replaceFirst("\"loss\": 9\\.9,", "\"loss\": 9.8,"));
        CliRun r = record("--log", log);
        assertEquals(ExitCode.INTEGRITY, r.code(), r.toString());
        assertTrue(r.err().contains(LedgerFindings.LOG_HISTORY_REWRITTEN) && r.err().contains("steps 0-29"), r.err());
    }

    /**
     * A recorded history over 4 MB is hashed by two threads, each over a run of consecutive chunks: a
     * byte changed in the second run is refused with that chunk's steps, and the unchanged history
     * lets the next lines in (the one-pass hashing of LogRecorder.verifyHistory).
     */
    @Test
    void jsonl_historyOver4MB_inManyChunks_aChangeLateInItIsNamed() throws IOException {
        Path log = run.resolve("train.jsonl");
        int per = 12_000; // ≈ 0.75 MB a call
        for (int c = 0; c < 7; c++) {
            Files.writeString(log, jsonl(c * per, (c + 1) * per), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            CliRun r = record("--log", log);
            assertEquals(0, r.code(), r.toString());
        }
        assertTrue(Files.size(log) > 4L << 20, "history " + Files.size(log));
        Files.writeString(log, jsonl(7 * per, 7 * per + 3), StandardOpenOption.APPEND);
        assertEquals(0, record("--log", log).code(), "an intact history lets the next lines in");
        int step = 6 * per + 500; // in the last call's chunk
        String text = Files.readString(log);
        int at = text.indexOf("{\"step\": " + step + ",");
        assertTrue(at > 0);
        int loss = text.indexOf("\"loss\": ", at) + 8;
        Files.writeString(log, text.substring(0, loss) + (text.charAt(loss) == '1' ? '2' : '1') + text.substring(loss + 1));
        CliRun r = record("--log", log);
        assertEquals(ExitCode.INTEGRITY, r.code(), r.toString());
        assertTrue(r.err().contains(LedgerFindings.LOG_HISTORY_REWRITTEN), r.err());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("steps (\\d+)-(\\d+)").matcher(r.err());
        assertTrue(m.find(), r.err());
        assertTrue(Long.parseLong(m.group(1)) <= step && step <= Long.parseLong(m.group(2)) && Long.parseLong(m.group(1)) >= 5 * per,
                "the changed chunk is named, not an earlier one: " + r.err());
    }

    @Test
    void jsonl_truncatedAfterRecording_sizeMismatch() throws IOException {
        Path log = run.resolve("train.jsonl");
        Files.writeString(log, jsonl(0, 40));
        assertEquals(0, record("--log", log).code());
        Files.writeString(log, jsonl(0, 20));
        assertEquals(ExitCode.INTEGRITY, record("--log", log).code());
        JsonNode rep = verifyJson(run, ExitCode.INTEGRITY);
        assertEquals(1, findings(rep, LedgerFindings.ARTIFACT_SIZE_MISMATCH).size(), rep.toString());
    }

    /** A trainer_state.json as HF writes it (indent 2, sorted keys) with log entries up to {@code upTo}. */
    private static void trainerState(Path f, int upTo, Double lossAt20) throws IOException {
        ObjectNode o = M.createObjectNode();
        o.put("epoch", upTo / 40.0);
        o.put("global_step", upTo);
        ArrayNode h = o.putArray("log_history");
        for (int s = 10; s <= upTo; s += 10) {
            ObjectNode e = h.addObject();
            e.put("epoch", s / 40.0);
            e.put("learning_rate", 5e-5 * (1 - s / 1000.0));
            e.put("loss", s == 20 && lossAt20 != null ? lossAt20 : 3.0 - s * 0.001);
            e.put("step", s);
            if (s % 20 == 0) {
                ObjectNode ev = h.addObject();
                ev.put("epoch", s / 40.0);
                ev.put("eval_loss", 3.1 - s * 0.001);
                ev.put("step", s);
            }
        }
        o.put("max_steps", 1000);
        Files.writeString(f, M.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(o));
    }

    @Test
    void trainerState_rewrittenOnEverySave_onlyNewRecordsAndVerifyClean() throws IOException {
        Path f = run.resolve("trainer_state.json");
        trainerState(f, 20, null);
        CliRun r1 = record("--log", f);
        assertEquals(0, r1.code(), r1.toString());
        trainerState(f, 1000, null); // epoch/global_step grow: every old entry moves
        CliRun r2 = record("--log", f);
        assertEquals(0, r2.code(), r2.toString());
        CliRun r3 = record("--log", f);
        assertTrue(r3.out().contains("nothing new"), r3.out());
        assertEquals(fromReader(LogReaders.read(f).records()), fromLedger(db));
        verifyJson(run, ExitCode.OK);
    }

    @Test
    void trainerState_earlierLossAltered_logHistoryRewrittenWithStep() throws IOException {
        Path f = run.resolve("trainer_state.json");
        trainerState(f, 100, null);
        assertEquals(0, record("--log", f).code());
        trainerState(f, 200, 1.5);
        CliRun r = record("--log", f);
        assertEquals(ExitCode.INTEGRITY, r.code(), r.toString());
        assertTrue(r.err().contains(LedgerFindings.LOG_HISTORY_REWRITTEN) && r.err().contains("step 20"), r.err());
        JsonNode rep = verifyJson(run, ExitCode.INTEGRITY);
        List<JsonNode> h = findings(rep, LedgerFindings.LOG_HISTORY_REWRITTEN);
        assertEquals(1, h.size(), rep.toString());
        assertEquals(20, h.get(0).path("location").path("step").asLong(), h.toString());
    }

    @Test
    void logWithCheckpoint_oneTransactionOneSignedCheckpoint() throws IOException {
        Path log = run.resolve("train.jsonl");
        Files.writeString(log, jsonl(0, 10));
        Path ck = run.resolve("step-10.bin");
        Files.write(ck, new byte[1000]);
        long before = checkpoints();
        CliRun r = record("--step", 10, "--checkpoint", ck, "--log", log);
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains(" metrics ") && r.out().contains(" checkpoint "), r.out());
        assertEquals(before + 1, checkpoints());
        try (Ledger l = Ledger.openReadOnly(db)) {
            assertEquals(3, l.size()); // run, metrics, checkpoint
        }
    }

    @Test
    void stepEntriesWithoutStep_usage() {
        assertEquals(ExitCode.USAGE, record("--event", "x").code());
        assertEquals(ExitCode.USAGE, record().code());
    }

    private long checkpoints() {
        try (Ledger l = Ledger.openReadOnly(db)) {
            return l.audit(AuditRequest.selfCheck()).checkpoints();
        }
    }

    /**
     * Every real log: recorded in two pieces (the file cut after a line or TensorBoard record in its
     * middle, then whole; rewritten formats: whole twice), the ledger holds exactly the records the reader gives for the
     * whole file, and verify --artifacts finds nothing.
     */
    @Test
    void realLogs_recordedInTwoPieces_ledgerEqualsReader() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(LOGS), "../shared/realdata/logs absent");
        List<Path> files = filesUnder(LOGS, p -> Files.isRegularFile(p) && !p.getFileName().toString().equals("MANIFEST.tsv"));
        List<String> failures = new ArrayList<>();
        int n = 0;
        for (Path src : files) {
            n++;
            Path d = freshLedger("real" + n);
            Path copy = d.resolve(src.getFileName().toString());
            byte[] all = Files.readAllBytes(src);
            var format = LogReaders.detect(src);
            int cut = all.length / 2;
            while (cut < all.length && all[cut - 1] != '\n') cut++;
            if (format == org.trainproof.trainlog.LogFormat.TENSORBOARD) {
                List<Integer> ends = recordEnds(all); // after the record that ends nearest the middle
                cut = ends.stream().min(java.util.Comparator.comparingInt(e -> Math.abs(e - all.length / 2))).orElse(all.length);
            }
            boolean rewritten = org.trainproof.ledger.LogRecorder.isRewritten(format);
            Files.write(copy, rewritten ? all : java.util.Arrays.copyOf(all, cut));
            CliRun r1 = record("--log", copy, "--log-format", format.cliName());
            if (LogReaders.read(src, format).findings().stream().anyMatch(f -> f.code().equals(org.trainproof.trainlog.LogFindings.STEPS_BY_ORDER))) {
                // No step column (the TinyStories custom-text log): refused, nothing recorded.
                if (r1.code() != ExitCode.BAD_INPUT || !r1.err().contains("no training step")) failures.add(src + ": step-less log not refused: " + r1);
                continue;
            }
            Files.write(copy, all);
            CliRun r2 = record("--log", copy, "--log-format", format.cliName());
            if (r1.code() != 0 || r2.code() != 0) {
                failures.add(src + ": " + r1 + " / " + r2);
                continue;
            }
            LogReadResult whole = LogReaders.read(copy, format);
            List<MetricRecord> stable = whole.records().stream().filter(r -> r.source().end() <= whole.files().get(0).stableEnd()).toList();
            if (!fromReader(stable).equals(fromLedger(db))) failures.add(src + ": ledger records differ from the reader's");
            CliRun v = CliRun.run("verify", db, "--key", dir.resolve("k.pub"), "--integrity-only", "--artifacts", d);
            if (v.code() != 0) failures.add(src + ": verify " + v);
        }
        assertTrue(n > 0, "no real logs");
        if (!failures.isEmpty()) fail(failures.size() + " failures:\n" + String.join("\n", failures));
    }

    static final Path TFEVENTS = Path.of("..", "shared", "realdata", "formats", "tfevents");

    /** The end offsets of the complete TFRecords of {@code b} (length, length CRC, data, data CRC). */
    private static List<Integer> recordEnds(byte[] b) {
        List<Integer> ends = new ArrayList<>();
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (long pos = 0; pos + 12 <= b.length; ) {
            long end = pos + 12 + bb.getLong((int) pos) + 4;
            if (end > b.length) break;
            ends.add((int) end);
            pos = end;
        }
        return ends;
    }

    /**
     * Real TensorBoard event files (PyTorch Lightning, tensorboard-reducer's tests), recorded as they
     * grow: cut after a record at a third and at two thirds, then whole. Each later call reads on
     * from where the ledger left off (the records before are walked only for the tags' plugins); the
     * ledger must hold exactly what one read of the whole file gives, and verify --artifacts nothing.
     */
    @Test
    void tensorboard_realFilesRecordedAsTheyGrow_ledgerEqualsReader() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(TFEVENTS), "../shared/realdata/formats/tfevents absent");
        List<Path> files = filesUnder(TFEVENTS, p -> p.getFileName().toString().startsWith("events.out.tfevents."));
        assertTrue(files.size() >= 3, files.toString());
        List<String> failures = new ArrayList<>();
        int n = 0;
        for (Path src : files) {
            n++;
            Path d = freshLedger("tb" + n);
            Path copy = d.resolve(src.getFileName().toString());
            byte[] all = Files.readAllBytes(src);
            List<Integer> ends = recordEnds(all);
            assertTrue(ends.size() >= 6, src + ": " + ends.size() + " records");
            for (int cut : List.of(ends.get(ends.size() / 3 - 1), ends.get(2 * ends.size() / 3 - 1), all.length)) {
                Files.write(copy, java.util.Arrays.copyOf(all, cut));
                CliRun r = record("--log", copy);
                if (r.code() != 0) failures.add(src + " cut at " + cut + ": " + r);
            }
            LogReadResult whole = LogReaders.read(copy);
            if (whole.records().isEmpty()) failures.add(src + ": no records");
            List<MetricRecord> stable = whole.records().stream().filter(r -> r.source().end() <= whole.files().get(0).stableEnd()).toList();
            if (!fromReader(stable).equals(fromLedger(db))) failures.add(src + ": ledger records differ from the reader's");
            CliRun v = CliRun.run("verify", db, "--key", dir.resolve("k.pub"), "--integrity-only", "--artifacts", d);
            if (v.code() != 0) failures.add(src + ": verify " + v);
        }
        if (!failures.isEmpty()) fail(failures.size() + " failures:\n" + String.join("\n", failures));
    }

    /** As for JSON lines: a TensorBoard file's recorded history is checked before it is read on. */
    @Test
    void tensorboard_byteChangedAndNothingNew_stillRefused() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(TFEVENTS), "../shared/realdata/formats/tfevents absent");
        Path src;
        try (Stream<Path> s = Files.walk(TFEVENTS.resolve("tbreducer_strict_run_1"))) {
            src = s.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents.")).findFirst().orElseThrow();
        }
        Path log = run.resolve(src.getFileName().toString());
        byte[] all = Files.readAllBytes(src);
        Files.write(log, all);
        assertEquals(0, record("--log", log).code());
        all[recordEnds(all).get(2) - 6] ^= 0x01; // a data byte of the fourth record
        Files.write(log, all);
        CliRun r = record("--log", log);
        assertEquals(ExitCode.INTEGRITY, r.code(), r.toString());
        assertTrue(r.err().contains(LedgerFindings.LOG_HISTORY_REWRITTEN), r.err());
    }

    /**
     * A real MLflow file store (a Keras run's mlruns/), recorded as its metric files grow: every
     * metric file cut after its middle line, then whole. The second call reads each file on from
     * where the ledger left off; the ledger must hold what one read of the whole store gives.
     */
    @Test
    void mlflow_realStoreRecordedAsItGrows_ledgerEqualsReader() throws IOException {
        Path src = Path.of("..", "shared", "realdata", "formats", "mlflow", "swahili", "mlruns");
        Assumptions.assumeTrue(Files.isDirectory(src), "../shared/realdata/formats/mlflow absent");
        Path store = dir.resolve("mlruns");
        List<Path> metricFiles = new ArrayList<>();
        try (Stream<Path> s = Files.walk(src)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                Path to = store.resolve(src.relativize(p).toString());
                Files.createDirectories(to.getParent());
                Files.copy(p, to);
                if (to.getParent().getFileName().toString().equals("metrics")) metricFiles.add(to);
            }
        }
        assertTrue(!metricFiles.isEmpty());
        Map<Path, byte[]> whole = new LinkedHashMap<>();
        for (Path f : metricFiles) {
            byte[] all = Files.readAllBytes(f);
            whole.put(f, all);
            int cut = all.length / 2;
            while (cut < all.length && all[cut - 1] != '\n') cut++;
            Files.write(f, java.util.Arrays.copyOf(all, cut));
        }
        CliRun r1 = record("--log", store);
        assertEquals(0, r1.code(), r1.toString());
        for (var e : whole.entrySet()) Files.write(e.getKey(), e.getValue());
        CliRun r2 = record("--log", store);
        assertEquals(0, r2.code(), r2.toString());
        LogReadResult all = LogReaders.read(store, org.trainproof.trainlog.LogFormat.MLFLOW);
        assertTrue(all.records().size() >= 10, all.records().size() + " records");
        assertEquals(fromReader(all.records()), fromLedger(db));
    }
}
