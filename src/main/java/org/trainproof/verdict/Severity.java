package org.trainproof.verdict;

/** How much a finding weighs. Only {@link #FAIL} changes a verdict by itself. */
public enum Severity {
    /** Worth knowing; changes nothing. */
    INFO,
    /** Suspicious or degraded data; the verdict may become inconclusive, never failed, on this alone. */
    WARNING,
    /** A hard failure: integrity broken, or a physical or arithmetic impossibility. */
    FAIL
}
