package org.trainproof.verdict;

import org.trainproof.ExitCode;

/** The overall answer, each with its exit code. The wording never says "proved". */
public enum Outcome {
    /** Integrity intact and (where analysed) consistent with training from a random init under the logged recipe. */
    CONSISTENT(ExitCode.OK, "consistent"),
    /** The ledger, a proof or a file does not match what was signed. Integrity is always checked first. */
    INTEGRITY_FAILURE(ExitCode.INTEGRITY, "integrity failure"),
    /** The data cannot answer the question. */
    INCONCLUSIVE(ExitCode.INCONCLUSIVE, "inconclusive"),
    /** Statistical or physical checks failed against the claimed training. */
    INCONSISTENT(ExitCode.INCONSISTENT, "inconsistent");

    private final int exitCode;
    private final String label;

    Outcome(int exitCode, String label) {
        this.exitCode = exitCode;
        this.label = label;
    }

    public int exitCode() {
        return exitCode;
    }

    public String label() {
        return label;
    }
}
