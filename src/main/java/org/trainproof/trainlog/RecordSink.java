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
        this(downstream, false);
    }

    /**
     * With {@code requireSteps}, a log whose records carry no training step ({@link LogFindings#STEPS_BY_ORDER})
     * is refused at its first such record: numbering by order restarts wherever a read starts, so those
     * numbers cannot go into a ledger as steps.
     */
    RecordSink(Consumer<MetricRecord> downstream, boolean requireSteps) {
        this.downstream = downstream;
        this.requireSteps = requireSteps;
    }

    private final boolean requireSteps;

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

    /**
     * A reader numbered a record by its order because the log has no step ({@link LogFindings#STEPS_BY_ORDER});
     * with {@code requireSteps} the read stops here with a bad-input error naming the file and line.
     */
    void stepsByOrder(Location where) {
        stepsByOrder(where, null);
    }

    /**
     * As {@link #stepsByOrder(Location)} for a record whose step field is present but holds {@code badStep}
     * (negative, huge, fractional, not a number): the error and the finding name the value, not a missing column.
     */
    void stepsByOrder(Location where, String badStep) {
        String at = where == null || where.file() == null ? "log" : where.file() + (where.line() == null ? "" : ":" + where.line());
        if (badStep != null) {
            if (requireSteps) {
                throw org.trainproof.TrainproofException.badInput(at, Numbers.badStep(badStep) + "; a ledger binds every record to"
                        + " its step, so this log cannot be recorded as it is");
            }
            findings.add(LogFindings.STEPS_BY_ORDER, Severity.INFO, "", where, Numbers.badStep(badStep)
                    + ": training steps unknown, records numbered by their order in the file");
            return;
        }
        if (requireSteps) {
            throw org.trainproof.TrainproofException.badInput(at, "record has no training step (no step column, e.g. \"step\":"
                    + " N); a ledger binds every record to its step, so this log cannot be recorded as it is: log the step, or"
                    + " read it without a ledger with 'trainproof analyze'");
        }
        findings.add(LogFindings.STEPS_BY_ORDER, Severity.INFO, "", where, "training steps unknown: records numbered by their order in the file");
    }

    LogReadResult result(String path, LogFormat format) {
        checks.finish(this, path);
        return new LogReadResult(path, format, kept, findings.findings(), files);
    }
}
