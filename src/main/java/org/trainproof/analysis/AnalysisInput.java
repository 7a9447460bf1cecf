package org.trainproof.analysis;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything the checks read: the run's claims, metric series keyed by normalised name, the
 * checkpoint trajectory (may be empty), declared events, and the thresholds.
 */
public record AnalysisInput(
        RunClaims claims, Map<String, MetricSeries> metrics, Trajectory trajectory, List<RunEvent> events, AnalysisConfig config) {
    public AnalysisInput {
        claims = claims == null ? RunClaims.none() : claims;
        metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
        trajectory = trajectory == null ? Trajectory.empty() : trajectory;
        events = events == null ? List.of() : List.copyOf(events);
        config = Objects.requireNonNullElse(config, AnalysisConfig.DEFAULT);
    }

    public Optional<MetricSeries> metric(String name) {
        return Optional.ofNullable(metrics.get(name));
    }
}
