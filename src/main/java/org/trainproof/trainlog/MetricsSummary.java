package org.trainproof.trainlog;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.trainproof.verdict.Finding;

/**
 * What {@code trainproof metrics} reports for one file or run directory: format, record count,
 * first and last step, the first logged loss (the first {@code train/loss} or {@code val/loss}
 * record in file order), per-metric counts, the readers' findings and the byte ranges read.
 */
public record MetricsSummary(String path, String format, long records, Long firstStep, Long lastStep, FirstLoss firstLoss,
        List<MetricCount> metrics, List<Finding> findings, List<LogReadResult.FileRange> files) {

    /** The first loss record in file order. */
    public record FirstLoss(String metric, long step, double value) {}

    /** Per normalised metric: record count, first and last step in file order, non-finite values. */
    public record MetricCount(String name, long count, long firstStep, long lastStep, long nonFinite) {}

    /** The summary of a read that kept its records. */
    public static MetricsSummary of(LogReadResult r) {
        Builder b = new Builder();
        r.records().forEach(b);
        return b.build(r);
    }

    /** Accumulates a summary from streamed records ({@link LogReaders#stream}) in constant memory per metric. */
    public static final class Builder implements java.util.function.Consumer<MetricRecord> {
        private long n;
        private Long first;
        private Long last;
        private FirstLoss loss;
        private final Map<String, long[]> per = new LinkedHashMap<>();

        @Override
        public void accept(MetricRecord m) {
            n++;
            if (first == null) first = m.step();
            last = m.step();
            if (loss == null && MetricNames.isLoss(m.metric())) loss = new FirstLoss(m.metric(), m.step(), m.value());
            long[] c = per.get(m.metric());
            if (c == null) {
                c = new long[] {0, m.step(), m.step(), 0};
                per.put(m.metric(), c);
            }
            c[0]++;
            c[2] = m.step();
            if (!Double.isFinite(m.value())) c[3]++;
        }

        /** The summary, with format, findings and files from {@code r} (whose records may have been streamed). */
        public MetricsSummary build(LogReadResult r) {
            List<MetricCount> counts = new ArrayList<>(per.size());
            per.forEach((k, c) -> counts.add(new MetricCount(k, c[0], c[1], c[2], c[3])));
            return new MetricsSummary(r.path(), r.format().cliName(), n, first, last, loss, counts, r.findings(), r.files());
        }
    }
}
