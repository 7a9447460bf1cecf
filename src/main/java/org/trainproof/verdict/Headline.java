package org.trainproof.verdict;

import java.util.List;

/**
 * The terminal verdict line (issue 18): at most {@value #MAX} characters — the outcome, its exit code and
 * the check it rests on (the first failing check for a failure, the first inconclusive one for
 * inconclusive, the count of passing checks otherwise). The full statement follows it on the terminal,
 * and stays whole in the JSON ({@code statement}) and HTML reports.
 */
public final class Headline {
    public static final int MAX = 160;
    /** How a keyless verify's statement starts (org.trainproof.KeylessHeadline). */
    static final String KEYLESS = "SELF-CONSISTENT";
    /** What a keyless statement says (org.trainproof.KeylessHeadline.note). */
    static final String KEYLESS_NOTE = "signer not authenticated (no --key";
    /**
     * The evidence rule's remedy when the trajectory was checked from a ledger's samples only (org.trainproof.analysis.RunEvidence,
     * E3: W11 needs the checkpoint files); an inconclusive headline whose statement carries it says so first (issue 13).
     */
    public static final String FILES_FIX = "give the checkpoint files (--artifacts DIR)";
    /** How the evidence rule (E3) begins when the trajectory was checked from a ledger's samples only (W11 could not run). */
    public static final String SAMPLES_ONLY = "E3: the trajectory was checked from the ledger's manifests, samples and sketches only";

    private Headline() {}

    public static String of(Report r) {
        String word = r.outcome() == Outcome.CONSISTENT && r.statement() != null && r.statement().startsWith("VERIFIED")
                ? "VERIFIED" : r.outcome().name().replace('_', ' ');
        // verify without --key: only self-consistency is known, and the first line must say so (issue 20, item 9)
        boolean selfConsistent = r.outcome() == Outcome.INCONCLUSIVE && r.statement() != null && r.statement().startsWith(KEYLESS + ", ");
        if (selfConsistent) word = KEYLESS + ", signer not authenticated (no --key)";
        else if (r.statement() != null && r.statement().contains(KEYLESS_NOTE)) word = word + ", signer not authenticated (no --key)";
        String head = word + " (exit " + r.exitCode() + ")";
        String tail = selfConsistent ? passed(r.checks()) : switch (r.outcome()) {
            case INTEGRITY_FAILURE -> failing(r.checks().stream().filter(c -> c.id().startsWith("INTEGRITY")).toList(), CheckStatus.FAIL,
                    "failing check");
            case INCONSISTENT -> failing(r.checks(), CheckStatus.FAIL, "failing check");
            case INCONCLUSIVE -> {
                if (r.statement() != null && r.statement().contains(SAMPLES_ONLY)) {
                    yield "trajectory checked from the ledger's samples only; W11 " + (r.statement().contains(FILES_FIX)
                            ? "needs the checkpoint files (--artifacts DIR)" : "did not run (below)");
                }
                String t = failing(r.checks(), CheckStatus.INCONCLUSIVE, "inconclusive check");
                if (t == null) t = failing(r.checks(), CheckStatus.NOT_RUN, "check not run");
                yield t == null ? "the evidence does not decide (below)" : t;
            }
            case CONSISTENT -> passed(r.checks());
        };
        String line = tail == null ? head : head + ": " + tail;
        return line.length() <= MAX ? line : line.substring(0, MAX - 1) + "…";
    }

    private static String failing(List<CheckResult> checks, CheckStatus status, String label) {
        List<CheckResult> hit = checks.stream().filter(c -> c.status() == status).toList();
        if (hit.isEmpty()) return null;
        CheckResult c = hit.get(0);
        String s = label + " " + c.id() + " (" + clip(c.name(), 70) + ")";
        long fails = c.findings().stream().filter(f -> f.severity() == Severity.FAIL).count();
        if (status == CheckStatus.FAIL && fails > 0) s += ", " + fails + " finding" + (fails == 1 ? "" : "s");
        if (hit.size() > 1) s += "; " + (hit.size() - 1) + " more " + switch (status) {
            case FAIL -> "failing";
            case NOT_RUN -> "not run";
            default -> "inconclusive";
        };
        return s;
    }

    private static String passed(List<CheckResult> checks) {
        if (checks.isEmpty()) return null;
        long pass = checks.stream().filter(c -> c.status() == CheckStatus.PASS).count();
        return pass + " of " + checks.size() + " checks passed" + (pass < checks.size() ? ", the rest did not run or were inconclusive" : "");
    }

    private static String clip(String s, int w) {
        if (s == null) return "";
        return s.length() <= w ? s : s.substring(0, w - 1) + "…";
    }
}
