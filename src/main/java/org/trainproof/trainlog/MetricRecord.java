package org.trainproof.trainlog;

import java.util.Objects;

/**
 * One value of one metric at one training step, with the metric name normalised by
 * {@link MetricNames}. {@code value} may be NaN or infinite (real logs contain them; they are
 * reported as findings, not dropped). {@code wallTime} is seconds since the Unix epoch when the
 * format records it, else null.
 */
public record MetricRecord(long step, String metric, double value, Double wallTime, SourceRef source) {
    public MetricRecord {
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(source, "source");
    }
}
