package org.trainproof.analysis;

import org.trainproof.verdict.CheckResult;

/** One catalogue check (verification-science.md §3). Pure: reads the input, returns a result. */
public interface ConsistencyCheck {
    /** Catalogue id: L1, W3, ... */
    String id();

    /** Short human name. */
    String name();

    CheckResult run(AnalysisInput in);

    /**
     * True if the result's p-value is against the null "this run is genuine" (small p = evidence of
     * inconsistency), so it may enter the combined test. Tests whose null is the suspicious alternative
     * (W4: "the checkpoints are independent") return false.
     */
    default boolean pValueAgainstGenuineNull() {
        return false;
    }
}
