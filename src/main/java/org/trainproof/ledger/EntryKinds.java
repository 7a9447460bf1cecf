package org.trainproof.ledger;

/** The entry kinds this ledger gives meaning to; others are accepted if they match the kind pattern. */
public final class EntryKinds {
    /** Genesis: the run's claims (run config). Only at seq 0. */
    public static final String RUN = "run";
    /** Body {@code {"step": N, "checkpoint": {...}}}. */
    public static final String CHECKPOINT = "checkpoint";
    /** A chunk of training-log records (log-ingestion issue). */
    public static final String METRICS = "metrics";
    /** Body {@code {"step": N, "text": "..."}}: resume, restart, config change, note. */
    public static final String EVENT = "event";
    /** The run is over; nothing may be appended after it. */
    public static final String END = "end";

    private EntryKinds() {}
}
