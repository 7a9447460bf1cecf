package org.trainproof.trainlog;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.trainproof.verdict.Location;
import org.trainproof.verdict.Severity;

/**
 * Checks over the normalised series of one read, run as records arrive (file order): non-finite
 * values, duplicated (metric, step) pairs, steps going backwards, a first step that is not 0, gaps
 * larger than the usual logging interval, an empty log. Memory: 8 bytes per distinct (metric, step).
 */
final class SeriesChecks {
    /** Distinct steps of one metric: a sorted array for increasing steps, a hash set for the rest. */
    private static final class Series {
        long last = Long.MIN_VALUE;
        double lastValue;
        long[] steps = new long[16];
        int n;
        Set<Long> outOfOrder;
        final Map<Long, Long> deltas = new HashMap<>();

        /** Adds {@code s}; false when it was already present. */
        boolean add(long s) {
            if (n == 0 || s > steps[n - 1]) {
                if (n == steps.length) steps = Arrays.copyOf(steps, n * 2);
                steps[n++] = s;
                return true;
            }
            if (Arrays.binarySearch(steps, 0, n, s) >= 0) return false;
            if (outOfOrder == null) outOfOrder = new HashSet<>();
            return outOfOrder.add(s);
        }
    }

    private final Map<String, Series> series = new HashMap<>();
    private long minStep = Long.MAX_VALUE;
    private MetricRecord firstRecord;

    void accept(MetricRecord r, RecordSink sink) {
        if (firstRecord == null) firstRecord = r;
        minStep = Math.min(minStep, r.step());
        double v = r.value();
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            sink.finding(LogFindings.NON_FINITE_VALUE, Severity.WARNING, r.metric(), r.source().location().withStep(r.step()),
                    r.metric() + " is " + v + " at step " + r.step());
        }
        Series s = series.computeIfAbsent(r.metric(), k -> new Series());
        // An exact repeat of the metric's previous record (HF eval entries repeat the train entry's
        // epoch at the same step) is not a conflicting duplicate; anything else at a seen step is.
        boolean exactRepeat = r.step() == s.last && Double.compare(v, s.lastValue) == 0;
        if (!s.add(r.step()) && !exactRepeat) {
            sink.finding(LogFindings.DUPLICATE_STEP, Severity.WARNING, r.metric(), r.source().location().withStep(r.step()),
                    r.metric() + " logged again at step " + r.step());
        }
        if (s.last != Long.MIN_VALUE) {
            if (r.step() < s.last) {
                sink.finding(LogFindings.STEP_BACKWARDS, Severity.WARNING, r.metric(), r.source().location().withStep(r.step()),
                        r.metric() + " step goes back from " + s.last + " to " + r.step() + " (restart?)");
            } else if (r.step() > s.last) {
                s.deltas.merge(r.step() - s.last, 1L, Long::sum);
            }
        }
        s.last = r.step();
        s.lastValue = v;
    }

    void finish(RecordSink sink, String path) {
        if (firstRecord == null) {
            sink.finding(LogFindings.EMPTY_LOG, Severity.WARNING, "", Location.file(path), "no metric records found");
            return;
        }
        if (minStep > 0) {
            sink.finding(LogFindings.FIRST_STEP_NOT_ZERO, Severity.INFO, "",
                    firstRecord.source().location().withStep(firstRecord.step()), "the first logged step is " + minStep + ", not 0");
        }
        // Missing steps: gaps that are a multiple (>= 2) of the metric's most common interval.
        series.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            Map<Long, Long> d = e.getValue().deltas;
            long mode = 0, modeCount = 0;
            for (Map.Entry<Long, Long> x : d.entrySet()) {
                if (x.getValue() > modeCount || (x.getValue() == modeCount && x.getKey() < mode)) {
                    mode = x.getKey();
                    modeCount = x.getValue();
                }
            }
            if (modeCount < 2) return;
            long gaps = 0, missing = 0;
            for (Map.Entry<Long, Long> x : d.entrySet()) {
                if (x.getKey() >= 2 * mode && x.getKey() % mode == 0) {
                    gaps += x.getValue();
                    missing += (x.getKey() / mode - 1) * x.getValue();
                }
            }
            if (gaps > 0) {
                sink.finding(LogFindings.MISSING_STEPS, Severity.INFO, e.getKey(), Location.file(path),
                        e.getKey() + ": " + gaps + " gaps larger than the usual interval of " + mode
                                + " steps; about " + missing + " expected log points missing");
            }
        });
    }
}
