package org.trainproof.verdict;

import java.util.List;
import java.util.Objects;

/**
 * The data the HTML report draws, already reduced to what a chart needs: named x/y series with axis
 * labels that carry their units, horizontal reference lines (ln V, a budget of 1), and grouped bars
 * for per-vector statistics beside their nulls. Built by the command from its analysis input; the
 * writer ({@link HtmlReport}) knows nothing of ledgers or checkpoints.
 */
public record ReportCharts(List<Chart> charts) {
    public static final ReportCharts NONE = new ReportCharts(List.of());

    public ReportCharts {
        charts = List.copyOf(charts);
    }

    /** One line: y against x, equal lengths, x ascending. Non-finite points are skipped when drawn. */
    public record Series(String label, double[] x, double[] y) {
        public Series {
            Objects.requireNonNull(label, "label");
            if (x.length != y.length) throw new IllegalArgumentException("x and y must have equal lengths");
            x = x.clone();
            y = y.clone();
        }

        @Override
        public double[] x() { return x.clone(); }

        @Override
        public double[] y() { return y.clone(); }

        public int size() { return x.length; }
    }

    /** A horizontal reference line at y, labelled (e.g. "ln V = 4.159"). */
    public record Reference(String label, double y) {
        public Reference {
            Objects.requireNonNull(label, "label");
        }
    }

    /** One group of bars: a category (vector name) with one value per {@link Chart#groups()} entry. */
    public record Bars(String category, double[] values) {
        public Bars {
            Objects.requireNonNull(category, "category");
            values = values.clone();
        }

        @Override
        public double[] values() { return values.clone(); }
    }

    /**
     * A line chart ({@code bars} empty) or a grouped bar chart ({@code series} empty, {@code groups}
     * naming the bars of each category). {@code note} says how the numbers were obtained.
     */
    public record Chart(String id, String title, String xLabel, String yLabel, List<Series> series, List<Reference> references,
            List<String> groups, List<Bars> bars, String note) {
        public Chart {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(title, "title");
            series = series == null ? List.of() : List.copyOf(series);
            references = references == null ? List.of() : List.copyOf(references);
            groups = groups == null ? List.of() : List.copyOf(groups);
            bars = bars == null ? List.of() : List.copyOf(bars);
        }

        public static Chart lines(String id, String title, String xLabel, String yLabel, List<Series> series,
                List<Reference> references, String note) {
            return new Chart(id, title, xLabel, yLabel, series, references, List.of(), List.of(), note);
        }

        public static Chart bars(String id, String title, String yLabel, List<String> groups, List<Bars> bars,
                List<Reference> references, String note) {
            return new Chart(id, title, "", yLabel, List.of(), references, groups, bars, note);
        }

        public boolean isBars() {
            return !bars.isEmpty();
        }
    }
}
