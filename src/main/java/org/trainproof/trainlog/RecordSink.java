package org.trainproof.trainlog;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.trainproof.verdict.Location;
import org.trainproof.verdict.Severity;

/**
 * The shared state of one read: where records go (kept in a list, or streamed to a consumer so a
 * multi-GB log is read in constant memory), the findings, the series checks run as records arrive,
 * and a cache of normalised names (so a million records share a handful of name strings).
 */
final class RecordSink {
    private final Consumer<MetricRecord> downstream;
    private final List<MetricRecord> kept = new ArrayList<>();
    final FindingSink findings = new FindingSink();
    final List<LogReadResult.FileRange> files = new ArrayList<>();
    private final SeriesChecks checks = new SeriesChecks();
    private final Map<String, String> names = new HashMap<>();
    private long count;
    private SourceRef first;
    private SourceRef last;

    /** Keeps records in a list. */
    RecordSink() {
        this(null);
    }

    /** Streams records to {@code downstream} (null: keep them). */
    RecordSink(Consumer<MetricRecord> downstream) {
        this.downstream = downstream;
    }

    /** Normalises {@code raw}; an unknown name is kept and reported once as {@link LogFindings#UNKNOWN_KEY}. */
    String name(String raw, SourceRef src) {
        String n = names.get(raw);
        if (n == null) {
            n = MetricNames.normalise(raw);
            names.put(raw, n);
            if (!MetricNames.known(raw) && !n.isEmpty()) {
                findings.add(LogFindings.UNKNOWN_KEY, Severity.INFO, n, src.location(),
                        "metric name '" + n + "' is not in the normalisation table; kept as is");
            }
        }
        return n;
    }

    void add(long step, String rawName, double value, Double wallTime, SourceRef src) {
        emit(new MetricRecord(step, name(rawName, src), value, wallTime, src));
    }

    private void emit(MetricRecord r) {
        count++;
        if (first == null) first = r.source();
        last = r.source();
        checks.accept(r, this);
        if (downstream != null) downstream.accept(r);
        else kept.add(r);
    }

    /** Records emitted so far. */
    long count() {
        return count;
    }

    /** Source of the first record, or null. */
    SourceRef first() {
        return first;
    }

    /** Source of the last record, or null. */
    SourceRef last() {
        return last;
    }

    void finding(String code, Severity sev, String subject, Location where, String message) {
        findings.add(code, sev, subject, where, message);
    }

    LogReadResult result(String path, LogFormat format) {
        checks.finish(this, path);
        return new LogReadResult(path, format, kept, findings.findings(), files);
    }
}
