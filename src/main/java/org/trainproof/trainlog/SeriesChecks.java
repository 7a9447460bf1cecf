package org.trainproof.trainlog;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.trainproof.verdict.Severity;

/**
 * Checks over the normalised series of one read, in file order: non-finite values, duplicated
 * (metric, step) pairs, steps going backwards, a first step that is not 0, gaps larger than the
 * usual logging interval, and an empty log. One pass plus one hash set of (metric, step) pairs.
 */
final class SeriesChecks {
    private SeriesChecks() {}

    private static final class Series {
        long last = Long.MIN_VALUE;
        final Map<Long, Long> deltas = new HashMap<>();
    }

    static void run(RecordSink sink, String path) {
        List<MetricRecord> recs = sink.records;
        if (recs.isEmpty()) {
            sink.finding(LogFindings.EMPTY_LOG, Severity.WARNING, "", org.trainproof.verdict.Location.file(path),
                    "no metric records found");
            return;
        }
        MetricRecord first = recs.get(0);
        long minStep = Long.MAX_VALUE;
        for (MetricRecord r : recs) minStep = Math.min(minStep, r.step());
        if (minStep > 0) {
            sink.finding(LogFindings.FIRST_STEP_NOT_ZERO, Severity.INFO, "", first.source().location().withStep(first.step()),
                    "the first logged step is " + minStep + ", not 0");
        }
        Map<String, Series> series = new HashMap<>();
        Map<String, Set<Long>> seen = new HashMap<>();
        for (MetricRecord r : recs) {
            double v = r.value();
            if (Double.isNaN(v) || Double.isInfinite(v)) {
                sink.finding(LogFindings.NON_FINITE_VALUE, Severity.WARNING, r.metric(),
                        r.source().location().withStep(r.step()),
                        r.metric() + " is " + v + " at step " + r.step());
            }
            Series s = series.computeIfAbsent(r.metric(), k -> new Series());
            if (!seen.computeIfAbsent(r.metric(), k -> new HashSet<>()).add(r.step())) {
                sink.finding(LogFindings.DUPLICATE_STEP, Severity.WARNING, r.metric(),
                        r.source().location().withStep(r.step()),
                        r.metric() + " logged again at step " + r.step());
            }
            if (s.last != Long.MIN_VALUE) {
                if (r.step() < s.last) {
                    sink.finding(LogFindings.STEP_BACKWARDS, Severity.WARNING, r.metric(),
                            r.source().location().withStep(r.step()),
                            r.metric() + " step goes back from " + s.last + " to " + r.step() + " (restart?)");
                } else if (r.step() > s.last) {
                    s.deltas.merge(r.step() - s.last, 1L, Long::sum);
                }
            }
            s.last = r.step();
        }
        // Missing steps: gaps that are a multiple (>= 2) of the metric's most common interval.
        for (Map.Entry<String, Series> e : series.entrySet()) {
            Map<Long, Long> d = e.getValue().deltas;
            long mode = 0, modeCount = 0;
            for (Map.Entry<Long, Long> x : d.entrySet()) {
                if (x.getValue() > modeCount || (x.getValue() == modeCount && x.getKey() < mode)) {
                    mode = x.getKey();
                    modeCount = x.getValue();
                }
            }
            if (modeCount < 2) continue;
            long gaps = 0, missing = 0;
            for (Map.Entry<Long, Long> x : d.entrySet()) {
                if (x.getKey() >= 2 * mode && x.getKey() % mode == 0) {
                    gaps += x.getValue();
                    missing += (x.getKey() / mode - 1) * x.getValue();
                }
            }
            if (gaps > 0) {
                sink.finding(LogFindings.MISSING_STEPS, Severity.INFO, e.getKey(), org.trainproof.verdict.Location.file(path),
                        e.getKey() + ": " + gaps + " gaps larger than the usual interval of " + mode
                                + " steps; about " + missing + " expected log points missing");
            }
        }
    }
}
