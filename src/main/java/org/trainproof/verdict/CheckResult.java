package org.trainproof.verdict;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The result of one check (catalogue id such as {@code L1}, {@code W3}, or {@code INTEGRITY}):
 * status, the headline statistic against its threshold on n data points, an optional p-value
 * against the check's stated null and an effect size, a one-line detail (for NOT_RUN and
 * INCONCLUSIVE: why), and the findings behind it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
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
        List<Finding> findings) {

    public CheckResult {
        findings = findings == null ? List.of() : List.copyOf(findings);
    }

    public static CheckResult notRun(String id, String name, String why) {
        return new CheckResult(id, name, CheckStatus.NOT_RUN, null, null, null, null, null, why, List.of());
    }

    public static CheckResult inconclusive(String id, String name, String why) {
        return new CheckResult(id, name, CheckStatus.INCONCLUSIVE, null, null, null, null, null, why, List.of());
    }
}
