package org.trainproof.trainlog;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.trainproof.verdict.Location;
import org.trainproof.verdict.Severity;

/**
 * The shared state of one read: records in file order, findings, and a cache of normalised names
 * (so a million records share a handful of name strings).
 */
final class RecordSink {
    final List<MetricRecord> records = new ArrayList<>();
    final FindingSink findings = new FindingSink();
    final List<LogReadResult.FileRange> files = new ArrayList<>();
    private final Map<String, String> names = new HashMap<>();

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
        records.add(new MetricRecord(step, name(rawName, src), value, wallTime, src));
    }

    /** Adds a record whose metric name is already normalised. */
    void addNormalised(long step, String metric, double value, Double wallTime, SourceRef src) {
        records.add(new MetricRecord(step, metric, value, wallTime, src));
    }

    void finding(String code, Severity sev, String subject, Location where, String message) {
        findings.add(code, sev, subject, where, message);
    }

    LogReadResult result(String path, LogFormat format) {
        return new LogReadResult(path, format, records, findings.findings(), files);
    }
}
