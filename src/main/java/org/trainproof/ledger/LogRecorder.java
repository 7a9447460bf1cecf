package org.trainproof.ledger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.trainproof.TrainproofException;
import org.trainproof.bytes.Digest;
import org.trainproof.trainlog.LogFormat;
import org.trainproof.trainlog.LogReadResult;
import org.trainproof.trainlog.LogReaders;
import org.trainproof.trainlog.MetricRecord;
import org.trainproof.trainlog.MetricsChunk;

/**
 * Records training-log files into a ledger as {@code metrics} entries (docs/metrics-entry.md): only
 * the records that are not in the ledger yet. Where each file was left off is derived from the
 * ledger itself (the last chunk of the same {@code source}), never from a side file, so a process
 * killed at any moment neither loses nor duplicates records: an append is one SQLite transaction,
 * and a restarted recorder continues from what the ledger holds.
 *
 * <p>Two modes, by format. <b>Appended files</b> (every line or event format): before continuing, the
 * bytes {@code [0, end)} of the file must still hash to the recorded chunks; new chunks start at the
 * previous chunk's end. <b>Rewritten files</b> ({@code trainer_state.json}, Megatron golden values,
 * written whole on every save): the file is copied to a snapshot (so its records and hashed bytes
 * come from one version), every record the ledger holds for it must still be in the file with the
 * same step, metric and value, and only the records not yet in the ledger are recorded, as a chunk
 * whose byte range covers their entries in the current version. In both modes altered history
 * throws an integrity error (exit 1) carrying {@link LedgerFindings#LOG_HISTORY_REWRITTEN}, the file,
 * the byte range or step; nothing of that file is appended.
 *
 * <p>Chunks hold at most {@link #CHUNK_RECORDS} records (about 390 KB of JSON); at most
 * {@link #CHUNKS_PER_TRANSACTION} chunks go into one transaction, so memory stays bounded whatever
 * the backlog. Not thread-safe. After any exception, build a new recorder (its state may be ahead of
 * the ledger).
 */
public final class LogRecorder {
    /** Records per chunk: 1,000,000 records → 100 entries of about 390 KB (docs/metrics-entry.md). */
    public static final int CHUNK_RECORDS = 10_000;
    /** Chunks per transaction: bounds the drafts held in memory to about 100,000 records. */
    public static final int CHUNKS_PER_TRANSACTION = 10;

    /** A log to record: a file or run directory, and its format (null: as recorded before, else detected). */
    public record LogInput(Path path, LogFormat format) {
        public LogInput {
            Objects.requireNonNull(path, "path");
        }
    }

    /** What one call recorded for one source (a log file as named in the ledger). */
    public record SourceResult(String source, LogFormat format, long records, int chunks, long start, long end) {}

    /** The entries one call appended, and per source what they hold. */
    public record Result(List<LedgerEntry> entries, List<SourceResult> sources) {
        public Result {
            entries = List.copyOf(entries);
            sources = List.copyOf(sources);
        }
    }

    /**
     * One recorded chunk of an appended file. Its first and last step are {@link #UNREAD} when it was
     * loaded from the ledger's metrics spans (records not parsed); {@code seq} then names its entry.
     */
    private record Span(long start, long end, Digest sha256, long seq, long firstStep, long lastStep) {}

    private static final long UNREAD = Long.MIN_VALUE;

    private record RecordKey(long step, String metric, long valueBits) {}

    /** What the ledger holds for one source. */
    private static final class SourceState {
        final String source;
        final LogFormat format;
        final List<Span> spans = new ArrayList<>();
        /** Rewritten-file mode: every recorded record, counted. */
        final Map<RecordKey, Integer> recorded = new HashMap<>();
        long maxStep = -1;
        /** Bytes of the file checked against the spans by this recorder. */
        long verifiedTo;

        SourceState(String source, LogFormat format) {
            this.source = source;
            this.format = format;
        }

        long end() {
            return spans.isEmpty() ? 0 : spans.get(spans.size() - 1).end();
        }

        /** A chunk of an appended file as {@link Ledger#forEachMetricsSpan} reads it (no records). */
        void add(Ledger.MetricsSpan m) {
            spans.add(new Span(m.start(), m.end(), m.sha256(), m.seq(), UNREAD, UNREAD));
        }

        void add(MetricsChunk c) {
            spans.add(new Span(c.start(), c.end(), c.sha256(), -1, firstStep(c), lastStep(c)));
            if (isRewritten(format)) {
                for (MetricsChunk.Row r : c.rows()) {
                    recorded.merge(key(r.step(), c.metrics().get(r.metric()), r.value()), 1, Integer::sum);
                    maxStep = Math.max(maxStep, r.step());
                }
            }
        }
    }

    private final Ledger ledger;
    private final Function<String, String> naming;
    private final Map<String, SourceState> state = new LinkedHashMap<>();
    private final List<EntryDraft> pending = new ArrayList<>();
    private final List<LedgerEntry> appended = new ArrayList<>();
    /** Where {@link #flush} hands appended entries during a {@link #record} call; null: into {@link #appended}. */
    private java.util.function.Consumer<LedgerEntry> sink;
    /** The ledger size {@link #state} reflects: entries below it were read, by {@link #load} or {@link #guard}. */
    private long synced;

    /** Another writer recorded a source this recorder is recording; thrown inside the write transaction (nothing appended). */
    private static final class ConcurrentRecord extends RuntimeException {
        ConcurrentRecord(String source) {
            super(source, null, false, false);
        }
    }

    /** Attempts of one {@link #record} call when other writers keep recording the same sources. */
    static final int MAX_ATTEMPTS = 20;

    /**
     * Loads what {@code ledger} holds. {@code naming} turns a file path as the reader names it into
     * the source name stored in the ledger (the auditor resolves it under {@code verify --artifacts}).
     */
    public LogRecorder(Ledger ledger, Function<String, String> naming) {
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.naming = Objects.requireNonNull(naming, "naming");
        load();
    }

    /**
     * (Re)reads what the ledger holds below its current size, and that size. For appended files only
     * each chunk's byte range and digest are read ({@link Ledger#forEachMetricsSpan}: the records are
     * skipped, so this costs a scan of the metrics entries, not a decode of every entry); rewritten
     * files need every recorded record and have their chunks parsed in full. Entries appended
     * meanwhile are above the size read first and are taken in by {@link #guard}.
     */
    private void load() {
        state.clear();
        long size = ledger.size();
        ledger.forEachMetricsSpan(size, m -> {
            if (isRewritten(m.format())) absorb(LedgerMetrics.parseChunk(ledger, ledger.readEntry(m.seq())));
            else stateFor(m.source(), m.format()).add(m);
        });
        synced = size;
    }

    private void absorb(MetricsChunk c) {
        stateFor(c.source(), c.format()).add(c);
    }

    /**
     * Runs inside the append's write transaction: entries other writers appended since {@link #synced}
     * are read; a chunk of a source this recorder knows means our drafts may repeat its bytes, so
     * nothing is appended and {@link #record} starts over from the ledger. Chunks of other sources
     * are taken into the state. So where each log was left off is read and advanced under the lock.
     */
    private void guard(long size) {
        if (size != synced) {
            ledger.forEachEntry(synced, e -> {
                if (!e.kind().equals(EntryKinds.METRICS)) return;
                MetricsChunk c = LedgerMetrics.parseChunk(ledger, e);
                if (state.containsKey(c.source())) throw new ConcurrentRecord(c.source());
                absorb(c);
            });
        }
        synced = size;
    }

    /** True for formats whose files are rewritten whole rather than appended to. */
    public static boolean isRewritten(LogFormat f) {
        return f == LogFormat.HF_TRAINER_STATE || f == LogFormat.MEGATRON_GOLDEN;
    }

    private SourceState stateFor(String source, LogFormat format) {
        return state.computeIfAbsent(source, s -> new SourceState(s, format));
    }

    /** The names of the sources the ledger (and this recorder) holds, in first-recorded order. */
    public List<String> sources() {
        return List.copyOf(state.keySet());
    }

    /**
     * Appends the new records of every log, then {@code tail} (checkpoint, event, end entries), in one
     * transaction when the new records fit in {@link #CHUNKS_PER_TRANSACTION} chunks, else in
     * transactions of that many chunks with {@code tail} in the last. Nothing is appended when there
     * is nothing new and {@code tail} is empty.
     */
    public Result record(List<LogInput> logs, List<EntryDraft> tail) {
        return record(logs, tail, null);
    }

    /**
     * As {@link #record(List, List)}, handing each appended entry to {@code each} as soon as its
     * transaction has committed instead of keeping it for the result ({@link Result#entries()} is then
     * empty): a long log's metrics entries, 10,000 records each, are not all held in memory at once
     * (recording 3,600,000 records kept ≈ 500 MB live and forced 27 full collections in -Xmx512m).
     */
    public Result record(List<LogInput> logs, List<EntryDraft> tail, java.util.function.Consumer<LedgerEntry> each) {
        appended.clear();
        sink = each;
        for (int attempt = 1; ; attempt++) {
            try {
                List<SourceResult> results = new ArrayList<>();
                for (LogInput in : logs) results.addAll(recordOne(in));
                pending.addAll(tail);
                flush();
                return new Result(appended, results);
            } catch (ConcurrentRecord e) {
                // Another writer recorded e.getMessage() first: continue from what the ledger now holds.
                pending.clear();
                load();
                if (attempt >= MAX_ATTEMPTS) {
                    throw TrainproofException.badInput(ledger.path(), "ledger busy: other writers kept recording " + e.getMessage()
                            + " (" + attempt + " attempts); retry later");
                }
            }
        }
    }

    private void flush() {
        if (pending.isEmpty()) return;
        int n = pending.size();
        List<LedgerEntry> done = ledger.append(List.copyOf(pending), this::guard);
        if (sink != null) done.forEach(sink);
        else appended.addAll(done);
        synced += n;
        pending.clear();
    }

    private void queue(SourceState s, MetricsChunk c, long[] count) {
        s.add(c);
        count[0] += c.rows().size();
        pending.add(new EntryDraft(EntryKinds.METRICS, c.toJson()));
        if (pending.size() >= CHUNKS_PER_TRANSACTION) flush();
    }

    private List<SourceResult> recordOne(LogInput in) {
        Path path = in.path();
        LogFormat format = in.format();
        if (format == null) {
            SourceState known = Files.isRegularFile(path) ? state.get(naming.apply(path.toString())) : null;
            format = known != null ? known.format : LogReaders.detect(path);
        }
        if (format == LogFormat.EMPTY) return List.of();
        if (isRewritten(format)) return List.of(recordRewritten(path, format));
        return recordAppended(path, format);
    }

    // ------------------------------------------------------------------ appended files

    private final class FileWriter {
        final SourceState st;
        final MetricsChunk.Writer writer;
        final long start;
        final long[] count = new long[1];
        int chunks;

        FileWriter(Path file, SourceState st, LogFormat format) {
            this.st = st;
            this.start = st.end();
            this.writer = new MetricsChunk.Writer(file, format, start, CHUNK_RECORDS, c -> {
                chunks++;
                queue(st, rename(c, st.source), count);
            });
        }
    }

    private List<SourceResult> recordAppended(Path path, LogFormat format) {
        Map<String, FileWriter> writers = new LinkedHashMap<>();
        List<SourceResult> out = new ArrayList<>();
        // Every appended format is resumable (LogReaders.resumable): a file the ledger holds the start of
        // has that history verified when the reader asks where to start, then is read on from where the
        // ledger left off (reading from the start cost 0.7 s of the 1.4 s one new line took after 900,000
        // JSON-lines records). The check when a file's first record arrives only catches a file a reader
        // did not ask about, so that no reader can skip the history check by omission.
        java.util.Set<String> verified = new java.util.HashSet<>();
        java.util.function.ToLongFunction<String> resumeAt = file -> {
            SourceState known = state.get(naming.apply(file));
            if (known == null || known.spans.isEmpty()) return 0;
            checkFormat(known, format, file);
            verifyHistory(Path.of(file), known);
            verified.add(file);
            return known.end();
        };
        try {
            LogReadResult res = LogReaders.streamWithSteps(path, format, resumeAt, r -> {
                String file = r.source().file();
                FileWriter w = writers.get(file);
                if (w == null) {
                    SourceState st = stateFor(naming.apply(file), format);
                    checkFormat(st, format, file);
                    if (!verified.contains(file)) verifyHistory(Path.of(file), st);
                    w = new FileWriter(Path.of(file), st, format);
                    writers.put(file, w);
                }
                w.writer.accept(r);
            });
            for (LogReadResult.FileRange f : res.files()) {
                FileWriter w = writers.get(f.file());
                if (w == null) continue;
                w.writer.finish(f.stableEnd());
                if (w.count[0] > 0) out.add(new SourceResult(w.st.source, format, w.count[0], w.chunks, w.start, w.st.end()));
            }
        } finally {
            for (FileWriter w : writers.values()) w.writer.close();
        }
        return out;
    }

    private static void checkFormat(SourceState st, LogFormat format, String file) {
        if (st.format != format) {
            throw TrainproofException.usage(file + " was recorded as " + st.format.cliName() + ", now read as "
                    + format.cliName() + "; record it with --format " + st.format.cliName());
        }
    }

    /**
     * Bytes [0, end) of an appended file must still hash to the recorded chunks (spans already checked
     * are skipped, except the last). Spans are hashed on both cores when there are many bytes (one
     * new line after 1,000,000 TensorBoard scalars: the 54 MB history took 0.35 s on one core of the
     * light JVM, which has no SHA-256 intrinsic); the first changed span in file order is reported.
     */
    private void verifyHistory(Path file, SourceState st) {
        if (st.spans.isEmpty()) return;
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw TrainproofException.badInput(file, "cannot read: " + e.getMessage(), e);
        }
        List<Span> todo = new ArrayList<>();
        long bytes = 0;
        for (int i = 0; i < st.spans.size(); i++) {
            Span s = st.spans.get(i);
            if (s.end() <= st.verifiedTo && i < st.spans.size() - 1) continue;
            if (size < s.end()) {
                throw rewritten(file, s, "the file has " + size + " bytes, fewer than the " + s.end() + " already recorded");
            }
            todo.add(s);
            bytes += s.end() - s.start();
        }
        int n = todo.size();
        long[] starts = new long[n];
        long[] ends = new long[n];
        for (int i = 0; i < n; i++) {
            starts[i] = todo.get(i).start();
            ends[i] = todo.get(i).end();
        }
        Digest[] now = new Digest[n];
        if (bytes < PARALLEL_HASH_BYTES || n < 2) {
            System.arraycopy(MetricsChunk.digestsOf(file, starts, ends, 0, n), 0, now, 0, n);
        } else {
            // two runs of consecutive spans with about half the bytes each, one per core
            int cut = 0;
            for (long acc = 0; cut < n - 1 && acc + (ends[cut] - starts[cut]) <= bytes / 2; cut++) acc += ends[cut] - starts[cut];
            final int mid = Math.max(1, cut);
            java.util.stream.IntStream.range(0, 2).parallel().forEach(part -> {
                int from = part == 0 ? 0 : mid;
                int to = part == 0 ? mid : n;
                System.arraycopy(MetricsChunk.digestsOf(file, starts, ends, from, to), 0, now, from, to - from);
            });
        }
        for (int i = 0; i < now.length; i++) {
            Span s = todo.get(i);
            if (!now[i].equals(s.sha256())) {
                throw rewritten(file, s, "these bytes changed since they were recorded (sha256 " + now[i] + ", recorded " + s.sha256() + ")");
            }
        }
        st.verifiedTo = st.end();
    }

    /** History above this many bytes is hashed in parallel (below it a thread costs more than it saves). */
    private static final long PARALLEL_HASH_BYTES = 4L << 20;

    private TrainproofException rewritten(Path file, Span s, String what) {
        long first = s.firstStep(), last = s.lastStep();
        if (first == UNREAD) {
            MetricsChunk c = LedgerMetrics.parseChunk(ledger, ledger.readEntry(s.seq()));
            first = firstStep(c);
            last = lastStep(c);
        }
        return TrainproofException.integrity(file + " bytes [" + s.start() + "," + s.end() + ") steps " + first + "-" + last,
                LedgerFindings.LOG_HISTORY_REWRITTEN + ": " + what + "; nothing recorded from this file");
    }

    /** The step of a chunk's first record, −1 for none. */
    private static long firstStep(MetricsChunk c) {
        return c.rows().isEmpty() ? -1 : c.rows().get(0).step();
    }

    /** The step of a chunk's last record, −1 for none. */
    private static long lastStep(MetricsChunk c) {
        return c.rows().isEmpty() ? -1 : c.rows().get(c.rows().size() - 1).step();
    }

    private static MetricsChunk rename(MetricsChunk c, String source) {
        if (c.source().equals(source)) return c;
        return new MetricsChunk(source, c.format(), c.start(), c.end(), c.sha256(), c.metrics(), c.rows());
    }

    private static RecordKey key(long step, String metric, double value) {
        return new RecordKey(step, metric, Double.doubleToLongBits(value));
    }

    // ------------------------------------------------------------------ rewritten files

    private SourceResult recordRewritten(Path path, LogFormat format) {
        Path file = Files.isDirectory(path) && format == LogFormat.HF_TRAINER_STATE ? path.resolve("trainer_state.json") : path;
        if (!Files.isRegularFile(file)) throw TrainproofException.badInput(file, "no such file");
        SourceState st = stateFor(naming.apply(file.toString()), format);
        checkFormat(st, format, file.toString());
        Path snap = null;
        try {
            // One version of the file: the writer may replace it while we read and hash.
            snap = Files.createTempFile("trainproof-log-", ".snapshot");
            Files.copy(file, snap, StandardCopyOption.REPLACE_EXISTING);
            LogReadResult res = LogReaders.read(snap, format);
            LogReadResult.FileRange fr = res.files().get(0);
            if (fr.stableEnd() < fr.size()) {
                throw TrainproofException.badInput(file, "is not a complete " + format.cliName()
                        + " document (being written?); not recorded");
            }
            Map<RecordKey, Integer> left = new HashMap<>(st.recorded);
            List<MetricRecord> fresh = new ArrayList<>();
            for (MetricRecord r : res.records()) {
                RecordKey k = key(r.step(), r.metric(), r.value());
                Integer c = left.get(k);
                if (c != null && c > 0) {
                    left.put(k, c - 1);
                } else {
                    fresh.add(r);
                }
            }
            RecordKey lost = null;
            for (Map.Entry<RecordKey, Integer> e : left.entrySet()) {
                if (e.getValue() > 0 && (lost == null || e.getKey().step() < lost.step())) lost = e.getKey();
            }
            if (lost != null) {
                throw TrainproofException.integrity(file + " step " + lost.step(), LedgerFindings.LOG_HISTORY_REWRITTEN + ": the recorded "
                        + lost.metric() + " = " + Double.longBitsToDouble(lost.valueBits()) + " at step " + lost.step()
                        + " is no longer in the file (changed or removed); nothing recorded from this file");
            }
            for (MetricRecord r : fresh) {
                if (r.step() < st.maxStep) {
                    throw TrainproofException.integrity(file + " step " + r.step(), LedgerFindings.LOG_HISTORY_REWRITTEN + ": a "
                            + r.metric() + " record at step " + r.step() + " appeared before the last recorded step " + st.maxStep
                            + " (inserted into history); nothing recorded from this file");
                }
            }
            long[] count = new long[1];
            int[] chunks = new int[1];
            if (fresh.isEmpty()) return new SourceResult(st.source, format, 0, 0, 0, 0);
            long from = fresh.get(0).source().start();
            long[] end = {from};
            try (MetricsChunk.Writer w = new MetricsChunk.Writer(snap, format, from, CHUNK_RECORDS, c -> {
                chunks[0]++;
                end[0] = c.end();
                queue(st, rename(c, st.source), count);
            })) {
                for (MetricRecord r : fresh) w.accept(r);
                w.finish(fr.stableEnd());
            }
            return new SourceResult(st.source, format, count[0], chunks[0], from, end[0]);
        } catch (IOException e) {
            throw TrainproofException.badInput(file, "cannot snapshot: " + e.getMessage(), e);
        } finally {
            if (snap != null) {
                try {
                    Files.deleteIfExists(snap);
                } catch (IOException ignored) {
                    // A leftover temp file is harmless.
                }
            }
        }
    }
}
