package org.trainproof.ledger;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.trainproof.TrainproofException;
import org.trainproof.bytes.Digest;
import org.trainproof.trainlog.LogFormat;
import org.trainproof.trainlog.LogReadResult;
import org.trainproof.trainlog.LogReaders;
import org.trainproof.trainlog.MetricRecord;
import org.trainproof.trainlog.MetricsChunk;
import org.trainproof.verdict.Finding;
import org.trainproof.verdict.Location;
import org.trainproof.verdict.Severity;

/**
 * The log half of {@code verify --artifacts DIR}: re-checks the training-log files named by
 * {@code metrics} entries. A source is resolved under DIR (a relative source as is, an absolute one
 * by its file name). Appended logs: every recorded byte range must hash to its recorded SHA-256
 * ({@link LedgerFindings#ARTIFACT_DIGEST_MISMATCH} names the file, byte range, steps and entry; a file
 * shorter than a recorded range is {@link LedgerFindings#ARTIFACT_SIZE_MISMATCH}). Rewritten files
 * (trainer_state.json, Megatron golden values; their recorded byte ranges describe earlier versions)
 * are re-read and every recorded record must be in them with the same step, metric and value
 * ({@link LedgerFindings#LOG_HISTORY_REWRITTEN} with the earliest altered step). Memory: one small
 * record per chunk, plus the records of rewritten files.
 */
final class LogArtifacts {
    private record Span(long seq, long start, long end, Digest sha256, long firstStep, long lastStep) {}

    private record Key(long step, String metric, long bits) {}

    private static final class Source {
        final String name;
        final LogFormat format;
        final List<Span> spans = new ArrayList<>();
        final Map<Key, Integer> records = new HashMap<>();
        final Map<Key, Long> seqOf = new HashMap<>();

        Source(String name, LogFormat format) {
            this.name = name;
            this.format = format;
        }
    }

    private final Map<String, Source> sources = new LinkedHashMap<>();
    private final List<Finding> malformed = new ArrayList<>();

    /** Takes note of one metrics entry (a body that does not parse is reported as ENTRY_MALFORMED). */
    void add(long seq, ObjectNode body) {
        MetricsChunk c;
        try {
            c = MetricsChunk.parse(body);
        } catch (TrainproofException e) {
            malformed.add(Finding.of(LedgerFindings.ENTRY_MALFORMED, Severity.FAIL, "metrics body: " + e.getMessage())
                    .at(Location.entry(seq)));
            return;
        }
        Source s = sources.computeIfAbsent(c.source(), n -> new Source(n, c.format()));
        long first = c.rows().isEmpty() ? -1 : c.rows().get(0).step();
        long last = c.rows().isEmpty() ? -1 : c.rows().get(c.rows().size() - 1).step();
        s.spans.add(new Span(seq, c.start(), c.end(), c.sha256(), first, last));
        if (LogRecorder.isRewritten(c.format())) {
            for (MetricsChunk.Row r : c.rows()) {
                Key k = new Key(r.step(), c.metrics().get(r.metric()), Double.doubleToLongBits(r.value()));
                s.records.merge(k, 1, Integer::sum);
                s.seqOf.putIfAbsent(k, seq);
            }
        }
    }

    /** Checks every noted source under {@code dir}; returns how many log files were re-read. */
    long check(Path dir, Consumer<Finding> sink) {
        malformed.forEach(sink);
        Path base = dir.toAbsolutePath().normalize();
        long checked = 0;
        for (Source s : sources.values()) {
            Path rel = Path.of(s.name);
            Path p = (rel.isAbsolute() ? base.resolve(rel.getFileName().toString()) : base.resolve(rel)).normalize();
            Location at = Location.file(s.name);
            if (!p.startsWith(base)) {
                sink.accept(Finding.of(LedgerFindings.ARTIFACT_DIGEST_MISMATCH, Severity.FAIL,
                        "log source '" + s.name + "' escapes the artifacts directory; not re-read").at(at));
                continue;
            }
            if (!Files.isRegularFile(p) && !rel.isAbsolute() && rel.getNameCount() > 1
                    && Files.isRegularFile(base.resolve(rel.getFileName().toString()))) {
                // A source named relative to the ledger's folder (run/train.jsonl) audited with
                // --artifacts pointing at its own folder (run/): found by its file name, as absolute names are.
                p = base.resolve(rel.getFileName().toString());
            }
            if (!Files.isRegularFile(p)) {
                sink.accept(Finding.of(LedgerFindings.ARTIFACT_MISSING, Severity.WARNING,
                        "log file not found in " + dir + ": not re-read").at(at));
                continue;
            }
            checked++;
            if (LogRecorder.isRewritten(s.format)) checkRewritten(s, p, at, sink);
            else checkAppended(s, p, at, sink);
        }
        return checked;
    }

    private static void checkAppended(Source s, Path p, Location at, Consumer<Finding> sink) {
        long size;
        try {
            size = Files.size(p);
        } catch (IOException e) {
            throw TrainproofException.badInput(p, "cannot read: " + e.getMessage(), e);
        }
        // the spans within the file, hashed in one pass (one open, one buffer)
        List<Span> inside = new ArrayList<>();
        for (Span sp : s.spans) if (size >= sp.end) inside.add(sp);
        long[] starts = new long[inside.size()];
        long[] ends = new long[inside.size()];
        for (int i = 0; i < starts.length; i++) {
            starts[i] = inside.get(i).start;
            ends[i] = inside.get(i).end;
        }
        Digest[] digests = MetricsChunk.digestsOf(p, starts, ends, 0, starts.length);
        int next = 0;
        for (Span sp : s.spans) {
            Location where = at.withOffset(sp.start).withEntry(sp.seq);
            if (sp.firstStep >= 0) where = where.withStep(sp.firstStep);
            String range = "bytes [" + sp.start + "," + sp.end + ") (steps " + sp.firstStep + "-" + sp.lastStep + ")";
            if (size < sp.end) {
                sink.accept(Finding.of(LedgerFindings.ARTIFACT_SIZE_MISMATCH, Severity.FAIL, "log file has " + size
                        + " bytes; the ledger recorded " + range).at(where).withMismatch(sp.end, size));
                continue;
            }
            Digest now = digests[next++];
            if (!now.equals(sp.sha256)) {
                sink.accept(Finding.of(LedgerFindings.ARTIFACT_DIGEST_MISMATCH, Severity.FAIL, "log " + range
                        + " changed since they were recorded").at(where).withMismatch(sp.sha256, now));
            }
        }
    }

    private static void checkRewritten(Source s, Path p, Location at, Consumer<Finding> sink) {
        LogReadResult res;
        try {
            res = LogReaders.read(p, s.format);
        } catch (TrainproofException e) {
            sink.accept(Finding.of(LedgerFindings.LOG_HISTORY_REWRITTEN, Severity.FAIL,
                    "cannot be read as " + s.format.cliName() + ": " + e.getMessage()).at(at));
            return;
        }
        Map<Key, Integer> left = new HashMap<>(s.records);
        for (MetricRecord r : res.records()) {
            Key k = new Key(r.step(), r.metric(), Double.doubleToLongBits(r.value()));
            left.computeIfPresent(k, (kk, c) -> c > 1 ? c - 1 : null);
        }
        Key lost = null;
        int n = 0;
        for (Key k : left.keySet()) {
            n += left.get(k);
            if (lost == null || k.step < lost.step) lost = k;
        }
        if (lost != null) {
            sink.accept(Finding.of(LedgerFindings.LOG_HISTORY_REWRITTEN, Severity.FAIL, n + " recorded record(s) are no longer in the file"
                    + " unchanged; earliest: " + lost.metric + " = " + Double.longBitsToDouble(lost.bits) + " at step " + lost.step)
                    .at(at.withStep(lost.step).withEntry(s.seqOf.get(lost))));
        }
    }
}
