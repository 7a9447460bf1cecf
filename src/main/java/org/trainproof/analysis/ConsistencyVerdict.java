package org.trainproof.analysis;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.trainproof.verdict.CheckResult;
import org.trainproof.verdict.CheckStatus;
import org.trainproof.verdict.Outcome;

/**
 * The combined training-consistency answer (verification-science.md §4.1–4.4):
 * <ol>
 *   <li>any check FAIL (a hard check, or a calibrated statistical rule) → INCONSISTENT;</li>
 *   <li>else the Cauchy combination (Liu &amp; Xie 2020; valid under dependence, §4.3) of the p-values that
 *       are against the genuine null is below α → INCONSISTENT, naming the p-values that entered and the one
 *       that drove it;</li>
 *   <li>else if the evidence rule ({@link RunEvidence}: W1 passed on the step-0 checkpoint and a trajectory
 *       check passed over at least two later checkpoints) does not hold → INCONCLUSIVE, naming the rule and
 *       the missing evidence;</li>
 *   <li>else CONSISTENT: "consistent with training from a random initialisation under the logged
 *       recipe", with the evidence level and the checks not performed listed. Never "proved".</li>
 * </ol>
 * Integrity is decided before this, by the ledger audit; this type never returns INTEGRITY_FAILURE.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ConsistencyVerdict(
        Outcome outcome, String statement, List<CheckResult> checks, Double combinedP, double alpha, List<String> notPerformed,
        RunEvidence evidence) {

    public ConsistencyVerdict {
        checks = List.copyOf(checks);
        notPerformed = List.copyOf(notPerformed);
    }

    /**
     * Combines results. {@code genuineNull} lists the ids whose p-value is against the genuine null
     * (see {@link ConsistencyCheck#pValueAgainstGenuineNull()}); {@code evidence} is the evidence rule's
     * assessment of the same input.
     */
    public static ConsistencyVerdict combine(List<CheckResult> results, Set<String> genuineNull, double alpha, RunEvidence evidence) {
        List<String> failed = new ArrayList<>(), notDone = new ArrayList<>();
        List<Double> ps = new ArrayList<>();
        List<String> pIds = new ArrayList<>();
        for (CheckResult r : results) {
            if (r.status() == CheckStatus.FAIL) failed.add(r.id());
            if (r.status() == CheckStatus.NOT_RUN || r.status() == CheckStatus.INCONCLUSIVE) {
                notDone.add(r.id() + " (" + r.status().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + ": " + r.detail() + ")");
            }
            if (r.pValue() != null && genuineNull.contains(r.id()) && (r.status() == CheckStatus.PASS || r.status() == CheckStatus.FAIL)) {
                ps.add(r.pValue());
                pIds.add(r.id());
            }
        }
        Double combined = ps.isEmpty() ? null : org.trainproof.analysis.stats.PValues.cauchy(ps.stream().mapToDouble(Double::doubleValue).toArray());
        String notList = notDone.isEmpty() ? "none" : String.join("; ", notDone);
        String level = " Evidence: " + evidence.level().label() + " (rule " + evidence.rule() + ").";
        Outcome o;
        String s;
        if (!failed.isEmpty()) {
            o = Outcome.INCONSISTENT;
            s = "Inconsistent with training from a random initialisation under the logged recipe: failed " + String.join(", ", failed)
                    + "." + level + " Checks not performed: " + notList + ".";
        } else if (combined != null && combined < alpha) {
            o = Outcome.INCONSISTENT;
            StringBuilder entered = new StringBuilder();
            int min = 0;
            for (int i = 0; i < ps.size(); i++) {
                if (ps.get(i) < ps.get(min)) min = i;
                entered.append(i == 0 ? "" : ", ").append(pIds.get(i)).append(String.format(java.util.Locale.ROOT, " p = %.3g", ps.get(i)));
            }
            s = String.format(java.util.Locale.ROOT, "Inconsistent with training from a random initialisation under the logged recipe: combined p = %.3g < alpha = %s"
                    + " (Cauchy combination of %d p-values: %s; driven by %s).%s Checks not performed: %s.", combined, alpha, ps.size(), entered,
                    pIds.get(min), level, notList);
        } else if (!evidence.conclusive()) {
            o = Outcome.INCONCLUSIVE;
            s = "Inconclusive: evidence is " + evidence.level().label() + " (rule " + evidence.rule() + "); to make it conclusive: "
                    + evidence.missing() + ". Checks not performed: " + notList + ".";
        } else {
            o = Outcome.CONSISTENT;
            s = "Consistent with training from a random initialisation under the logged recipe"
                    + (combined == null ? "" : String.format(java.util.Locale.ROOT, " (combined p = %.3g, alpha = %s)", combined, alpha))
                    + "; this is not a proof." + level + " Checks not performed: " + notList + ".";
        }
        return new ConsistencyVerdict(o, s, results, combined, alpha, notDone, evidence);
    }
}
