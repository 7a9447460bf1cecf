package org.trainproof.verdict;

/** The outcome of one check. A check without enough data says INCONCLUSIVE, never PASS. */
public enum CheckStatus {
    PASS,
    FAIL,
    INCONCLUSIVE,
    /** The check could not run (missing input or claim); the reason is in the result's detail. */
    NOT_RUN
}
