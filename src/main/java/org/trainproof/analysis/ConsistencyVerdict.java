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
 *       are against the genuine null is below α → INCONSISTENT;</li>
 *   <li>else if no from-scratch evidence check PASSed → INCONCLUSIVE (too little data);</li>
 *   <li>else CONSISTENT: "consistent with training from a random initialisation under the logged
 *       recipe", with the checks not performed listed. Never "proved".</li>
 * </ol>
 * Integrity is decided before this, by the ledger audit; this type never returns INTEGRITY_FAILURE.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ConsistencyVerdict(
        Outcome outcome, String statement, List<CheckResult> checks, Double combinedP, double alpha, List<String> notPerformed) {

    /**
     * Checks whose PASS is evidence for a from-scratch start or a continuous trajectory (§4.4 step 2). The
     * soft screens (L2, L3, L4, W5) are not: their PASS only means "nothing unusual seen".
     */
    public static final Set<String> EVIDENCE = Set.of("L1", "W1", "W2", "W3", "W4", "W7", "RESUME", "L5", "C1");

    public ConsistencyVerdict {
        checks = List.copyOf(checks);
        notPerformed = List.copyOf(notPerformed);
    }

    /**
     * Combines results. {@code genuineNull} lists the ids whose p-value is against the genuine null
     * (see {@link ConsistencyCheck#pValueAgainstGenuineNull()}).
     */
    public static ConsistencyVerdict combine(List<CheckResult> results, Set<String> genuineNull, double alpha) {
        List<String> failed = new ArrayList<>(), notDone = new ArrayList<>();
        List<Double> ps = new ArrayList<>();
        boolean evidence = false;
        for (CheckResult r : results) {
            if (r.status() == CheckStatus.FAIL) failed.add(r.id());
            if (r.status() == CheckStatus.NOT_RUN || r.status() == CheckStatus.INCONCLUSIVE) {
                notDone.add(r.id() + " (" + r.status().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + ": " + r.detail() + ")");
            }
            if (r.status() == CheckStatus.PASS && EVIDENCE.contains(r.id())) evidence = true;
            if (r.pValue() != null && genuineNull.contains(r.id()) && (r.status() == CheckStatus.PASS || r.status() == CheckStatus.FAIL)) {
                ps.add(r.pValue());
            }
        }
        Double combined = ps.isEmpty() ? null : org.trainproof.analysis.stats.PValues.cauchy(ps.stream().mapToDouble(Double::doubleValue).toArray());
        String notList = notDone.isEmpty() ? "none" : String.join("; ", notDone);
        Outcome o;
        String s;
        if (!failed.isEmpty()) {
            o = Outcome.INCONSISTENT;
            s = "Inconsistent with training from a random initialisation under the logged recipe: failed " + String.join(", ", failed)
                    + ". Checks not performed: " + notList + ".";
        } else if (combined != null && combined < alpha) {
            o = Outcome.INCONSISTENT;
            s = String.format("Inconsistent with training from a random initialisation under the logged recipe: combined p = %.3g < alpha = %s"
                    + " (Cauchy combination of %d p-values). Checks not performed: %s.", combined, alpha, ps.size(), notList);
        } else if (!evidence) {
            o = Outcome.INCONCLUSIVE;
            s = "Inconclusive: no check could establish consistency with training from a random initialisation. Checks not performed: " + notList + ".";
        } else {
            o = Outcome.CONSISTENT;
            s = "Consistent with training from a random initialisation under the logged recipe"
                    + (combined == null ? "" : String.format(" (combined p = %.3g, alpha = %s)", combined, alpha))
                    + "; this is not a proof. Checks not performed: " + notList + ".";
        }
        return new ConsistencyVerdict(o, s, results, combined, alpha, notDone);
    }
}
