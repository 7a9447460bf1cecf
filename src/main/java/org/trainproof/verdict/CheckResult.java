package org.trainproof.verdict;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * The result of one check (catalogue id such as {@code L1}, {@code W3}, or {@code INTEGRITY}):
 * status, the headline statistic against its threshold on n data points, an optional p-value
 * against the check's stated null and an effect size, a one-line detail (for NOT_RUN and
 * INCONCLUSIVE: why), and the findings behind it.
 *
 * <p>{@code statistic}, {@code threshold} and {@code direction} are those of the rule that decided the
 * status, named by {@code rule} (issue 13): a check with several rules (a p-value and an effect floor, a
 * gate and a second test) reports the one that decided, and its other numbers in {@code effectSize} and
 * {@code detail}. So a PASS is never on the failing side of its own reported numbers, and a FAIL never on
 * the passing side ({@code ReportedDirectionInvariantTest}). {@code direction} is null for a result
 * without a threshold (integrity, pairing, NOT_RUN).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"id", "name", "status", "statistic", "threshold", "direction", "rule", "n", "pValue", "effectSize", "detail", "findings"})
public record CheckResult(
        String id,
        String name,
        CheckStatus status,
        Double statistic,
        Double threshold,
        Long n,
        Double pValue,
        Double effectSize,
        String detail,
        List<Finding> findings,
        String rule,
        Direction direction) {

    public CheckResult {
        findings = findings == null ? List.of() : List.copyOf(findings);
    }

    /** A result without a deciding rule (no threshold, or one still to be named with {@link #decidedBy}). */
    public CheckResult(String id, String name, CheckStatus status, Double statistic, Double threshold, Long n, Double pValue,
            Double effectSize, String detail, List<Finding> findings) {
        this(id, name, status, statistic, threshold, n, pValue, effectSize, detail, findings, null, null);
    }

    /** The same result, its statistic/threshold named as those of {@code rule}, failing (or warning) in {@code direction}. */
    public CheckResult decidedBy(String rule, Direction direction) {
        return new CheckResult(id, name, status, statistic, threshold, n, pValue, effectSize, detail, findings, rule, direction);
    }

    /** The same result with other findings (the rule and direction kept). */
    public CheckResult withFindings(List<Finding> all) {
        return new CheckResult(id, name, status, statistic, threshold, n, pValue, effectSize, detail, all, rule, direction);
    }

    public static CheckResult notRun(String id, String name, String why) {
        return new CheckResult(id, name, CheckStatus.NOT_RUN, null, null, null, null, null, why, List.of());
    }

    public static CheckResult inconclusive(String id, String name, String why) {
        return new CheckResult(id, name, CheckStatus.INCONCLUSIVE, null, null, null, null, null, why, List.of());
    }
}
