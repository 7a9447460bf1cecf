package org.trainproof.trusted;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.trainproof.verdict.CheckResult;
import org.trainproof.verdict.CheckStatus;
import org.trainproof.verdict.Outcome;
import org.trainproof.verdict.Report;
import org.trainproof.verdict.ReportCharts;

/** How a trusted-time audit's result joins verify's report, analysis input (C1) and charts. */
public final class TrustedTimeReport {
    private TrustedTimeReport() {}

    /** The report with the INTEGRITY_TIME check, the timeline in the integrity summary, and one line on what the times show. */
    public static Report apply(Report r, TrustedTimeAudit.Result t) {
        List<String> notChecked = new ArrayList<>(r.notChecked());
        if (t == null) {
            notChecked.add("when: no RFC 3161 timestamps or witness cosignatures in the ledger, so nothing shows it was written during"
                    + " training rather than afterwards (record --tsa URL)");
            return new Report(r.command(), r.subject(), r.outcome(), r.exitCode(), r.statement(), r.checks(), notChecked, r.parameters(), r.integrity());
        }
        List<CheckResult> checks = new ArrayList<>(r.checks());
        checks.add(1, t.check());
        Map<String, Object> integrity = r.integrity() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(r.integrity());
        integrity.put("trusted_time", t.summary());
        Outcome outcome = r.outcome();
        String statement = r.statement();
        if (t.check().status() == CheckStatus.FAIL) {
            outcome = Outcome.INTEGRITY_FAILURE;
            statement = "INTEGRITY FAILURE: the trusted-time evidence does not verify (" + t.check().findings().stream()
                    .filter(f -> f.severity() == org.trainproof.verdict.Severity.FAIL).count() + " findings)";
        } else if (t.check().status() == CheckStatus.PASS) {
            Map<Long, Instant> by = t.existedByStep();
            if (!by.isEmpty()) {
                var last = ((java.util.TreeMap<Long, Instant>) by).lastEntry();
                statement = statement + "; the checkpoint at step " + last.getKey() + " existed by " + last.getValue()
                        + " (trusted time), so it was not made after that";
            }
        } else {
            notChecked.add("when: " + t.check().detail());
        }
        return new Report(r.command(), r.subject(), outcome, outcome.exitCode(), statement, checks, notChecked, r.parameters(), integrity);
    }

    /** The analysis input with the verified trusted times (lower envelope) as the {@code trusted/time} series, for C1. */
    public static org.trainproof.analysis.AnalysisInput withTrustedTime(org.trainproof.analysis.AnalysisInput in, TrustedTimeAudit.Result t) {
        if (t == null || t.check().status() != CheckStatus.PASS) return in;
        List<TrustedTimeAudit.TimelineRow> env = t.lowerEnvelope();
        if (env.size() < 2) return in;
        long[] steps = new long[env.size()];
        double[] secs = new double[env.size()];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = env.get(i).step();
            secs[i] = env.get(i).time().toEpochMilli() / 1000.0;
        }
        Map<String, org.trainproof.analysis.MetricSeries> m = new LinkedHashMap<>(in.metrics());
        m.put(org.trainproof.analysis.MetricSeries.TRUSTED_TIME,
                new org.trainproof.analysis.MetricSeries(org.trainproof.analysis.MetricSeries.TRUSTED_TIME, steps, secs));
        return new org.trainproof.analysis.AnalysisInput(in.claims(), m, in.trajectory(), in.events(), in.config());
    }

    /** Adds the "trusted time against step" chart (hours after the first trusted time). */
    public static ReportCharts charts(ReportCharts base, TrustedTimeAudit.Result t) {
        if (t == null || t.timeline().isEmpty()) return base;
        Map<String, List<TrustedTimeAudit.TimelineRow>> bySource = new LinkedHashMap<>();
        Instant t0 = t.timeline().stream().map(TrustedTimeAudit.TimelineRow::time).min(Instant::compareTo).orElseThrow();
        for (TrustedTimeAudit.TimelineRow row : t.timeline()) {
            if (row.step() != null) bySource.computeIfAbsent(row.source(), k -> new ArrayList<>()).add(row);
        }
        List<ReportCharts.Series> series = new ArrayList<>();
        for (var e : bySource.entrySet()) {
            double[] x = new double[e.getValue().size()];
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = e.getValue().get(i).step();
                y[i] = (e.getValue().get(i).time().toEpochMilli() - t0.toEpochMilli()) / 3_600_000.0;
            }
            series.add(new ReportCharts.Series(e.getKey(), x, y));
        }
        if (series.isEmpty()) return base;
        List<ReportCharts.Chart> charts = new ArrayList<>(base.charts());
        charts.add(ReportCharts.Chart.lines("trusted-time", "Trusted time against step", "step", "hours after " + t0,
                series, List.of(), "Each point: the checkpoint covering that step existed by that time, per the TSA token or"
                        + " witness cosignature named in the legend (verified against the given anchors and keys)."));
        return new ReportCharts(charts);
    }
}
