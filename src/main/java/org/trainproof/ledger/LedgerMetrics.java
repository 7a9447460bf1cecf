package org.trainproof.ledger;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.trainproof.TrainproofException;
import org.trainproof.trainlog.MetricsChunk;

/**
 * Reads the training-log records back out of a ledger's {@code metrics} entries
 * (docs/metrics-entry.md), for the analysis: streamed chunk by chunk ({@link #forEachChunk}), or
 * gathered into one series per normalised metric name ({@link #read}). A metrics body that does not
 * parse is an integrity error (exit 1): it was signed as written, so it is the signer's fault or
 * tampering that the audit reports.
 */
public final class LedgerMetrics {
    private LedgerMetrics() {}

    /** One {@code metrics} entry: its seq and its parsed chunk. */
    public record ChunkEntry(long seq, MetricsChunk chunk) {}

    /** Streams every {@code metrics} entry of {@code ledger} in seq order, parsed. */
    public static void forEachChunk(Ledger ledger, Consumer<ChunkEntry> each) {
        ledger.forEachEntry(e -> {
            if (e.kind().equals(EntryKinds.METRICS)) each.accept(new ChunkEntry(e.seq(), parseChunk(ledger, e)));
        });
    }

    /** Parses one {@code metrics} entry's body; a body that does not parse is an integrity error naming the entry. */
    public static MetricsChunk parseChunk(Ledger ledger, LedgerEntry e) {
        return parseChunk(ledger.path(), e);
    }

    /** As {@link #parseChunk(Ledger, LedgerEntry)}, naming {@code ledgerPath}; reads the body without copying it. */
    public static MetricsChunk parseChunk(java.nio.file.Path ledgerPath, LedgerEntry e) {
        try {
            return MetricsChunk.parse(e.bodyView());
        } catch (TrainproofException ex) {
            throw TrainproofException.integrity(ledgerPath + " entry " + e.seq(), "metrics body does not parse: " + ex.getMessage());
        }
    }

    /**
     * Every metric record of the ledger, one series per metric name, in ledger order (entries in seq
     * order, rows in file order). Records of several log files with the same metric name are in one
     * series, in the order they were recorded; {@link MetricSeries#entry(int)} tells them apart.
     */
    public static Map<String, MetricSeries> read(Ledger ledger) {
        Map<String, MetricSeries.Builder> b = new LinkedHashMap<>();
        forEachChunk(ledger, ce -> {
            MetricsChunk c = ce.chunk();
            MetricSeries.Builder[] byIndex = new MetricSeries.Builder[c.metrics().size()];
            for (int i = 0; i < byIndex.length; i++) byIndex[i] = b.computeIfAbsent(c.metrics().get(i), MetricSeries.Builder::new);
            for (MetricsChunk.Row r : c.rows()) {
                byIndex[r.metric()].add(r.step(), r.value(), r.wallTime() == null ? Double.NaN : r.wallTime(), ce.seq());
            }
        });
        Map<String, MetricSeries> out = new LinkedHashMap<>();
        b.forEach((k, v) -> out.put(k, v.build()));
        return Collections.unmodifiableMap(out);
    }

    /**
     * The records of one metric as parallel primitive columns (1,000,000 records take 32 MB).
     * Immutable; accessors copy nothing, index {@code 0 <= i < size()}.
     */
    public static final class MetricSeries {
        private final String metric;
        private final long[] steps;
        private final double[] values;
        private final double[] wallTimes;
        private final long[] entries;

        private MetricSeries(String metric, long[] steps, double[] values, double[] wallTimes, long[] entries) {
            this.metric = metric;
            this.steps = steps;
            this.values = values;
            this.wallTimes = wallTimes;
            this.entries = entries;
        }

        public String metric() { return metric; }
        public int size() { return steps.length; }
        public long step(int i) { return steps[i]; }
        /** May be NaN or infinite, as logged. */
        public double value(int i) { return values[i]; }
        /** Seconds since the epoch; NaN when the format records no wall time. */
        public double wallTime(int i) { return wallTimes[i]; }
        /** The seq of the ledger entry holding record {@code i}. */
        public long entry(int i) { return entries[i]; }
        /** A copy of the steps. */
        public long[] steps() { return steps.clone(); }
        /** A copy of the values. */
        public double[] values() { return values.clone(); }

        @Override
        public String toString() {
            return "MetricSeries[" + metric + ", " + steps.length + " records]";
        }

        static final class Builder {
            private final String metric;
            private long[] steps = new long[16];
            private double[] values = new double[16];
            private double[] wall = new double[16];
            private long[] entries = new long[16];
            private int n;

            Builder(String metric) {
                this.metric = metric;
            }

            void add(long step, double value, double wallTime, long seq) {
                if (n == steps.length) {
                    int m = n * 2;
                    steps = Arrays.copyOf(steps, m);
                    values = Arrays.copyOf(values, m);
                    wall = Arrays.copyOf(wall, m);
                    entries = Arrays.copyOf(entries, m);
                }
                steps[n] = step;
                values[n] = value;
                wall[n] = wallTime;
                entries[n] = seq;
                n++;
            }

            MetricSeries build() {
                return new MetricSeries(metric, Arrays.copyOf(steps, n), Arrays.copyOf(values, n), Arrays.copyOf(wall, n),
                        Arrays.copyOf(entries, n));
            }
        }
    }
}
