package org.trainproof.verdict;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The whole answer of {@code verify}, {@code analyze} or {@code compare}: the outcome, the one-line
 * statement a person reads first, every check with its status and numbers, and what was not checked
 * and why. Rendered as text ({@link TextReport}) or JSON ({@code schemas/report.schema.json}).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Report(
        String command,
        String subject,
        Outcome outcome,
        int exitCode,
        String statement,
        List<CheckResult> checks,
        List<String> notChecked,
        Map<String, String> parameters,
        Map<String, Object> integrity,
        Provenance provenance) {

    /** A report without provenance (the CLI adds it as it writes the report: {@link #withProvenance}). */
    public Report(String command, String subject, Outcome outcome, int exitCode, String statement, List<CheckResult> checks,
            List<String> notChecked, Map<String, String> parameters, Map<String, Object> integrity) {
        this(command, subject, outcome, exitCode, statement, checks, notChecked, parameters, integrity, null);
    }

    public Report {
        checks = List.copyOf(checks);
        notChecked = notChecked == null ? List.of() : List.copyOf(notChecked);
        // in the order given (Map.copyOf's order changes from one JVM to the next, and with it the report's bytes)
        parameters = parameters == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(parameters));
        integrity = integrity == null ? null : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(integrity));
    }

    /** The same report with an integrity summary (ledger, origin, entries, root, what was re-hashed). */
    public Report withIntegrity(Map<String, Object> summary) {
        return new Report(command, subject, outcome, exitCode, statement, checks, notChecked, parameters, summary, provenance);
    }

    /** The same report with its provenance (tool version, creation time, command line, the run's claims). */
    public Report withProvenance(Provenance p) {
        return new Report(command, subject, outcome, exitCode, statement, checks, notChecked, parameters, integrity, p);
    }

    /** Every finding of every check, most severe first (stable within a severity). */
    public List<Finding> findings() {
        List<Finding> all = new ArrayList<>();
        for (CheckResult c : checks) all.addAll(c.findings());
        all.sort(Comparator.comparing((Finding f) -> f.severity()).reversed());
        return all;
    }

    /**
     * Builds a report. Integrity comes first: any FAIL in a check whose id starts with
     * {@code INTEGRITY} makes the outcome INTEGRITY_FAILURE whatever the other checks say.
     * Otherwise {@code consistency} decides (null: integrity-only audit, CONSISTENT when clean).
     */
    public static Report of(String command, String subject, List<CheckResult> checks, Outcome consistency,
            String consistencyStatement, List<String> notChecked, Map<String, String> parameters) {
        boolean integrityFailed = checks.stream()
                .anyMatch(c -> c.id().startsWith("INTEGRITY") && c.status() == CheckStatus.FAIL);
        Outcome outcome;
        String statement;
        if (integrityFailed) {
            outcome = Outcome.INTEGRITY_FAILURE;
            long n = checks.stream().filter(c -> c.id().startsWith("INTEGRITY"))
                    .flatMap(c -> c.findings().stream()).filter(f -> f.severity() == Severity.FAIL).count();
            statement = "INTEGRITY FAILURE: the ledger or files do not match what was signed (" + n + " finding"
                    + (n == 1 ? "" : "s") + ")";
        } else if (consistency == null) {
            outcome = Outcome.CONSISTENT;
            statement = "VERIFIED: the ledger is intact" + (consistencyStatement == null ? "" : "; " + consistencyStatement);
        } else {
            outcome = consistency;
            statement = consistencyStatement;
        }
        return new Report(command, subject, outcome, outcome.exitCode(), statement, checks, notChecked, parameters, null);
    }
}
