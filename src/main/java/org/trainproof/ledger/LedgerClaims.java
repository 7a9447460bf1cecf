package org.trainproof.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;

/** The run-config a ledger states: the body of its genesis {@code run} entry (what reports carry as the run's claims). */
public final class LedgerClaims {
    private LedgerClaims() {}

    /** The genesis run entry's body of an open ledger; null when the ledger has none or it cannot be read. */
    public static JsonNode of(Ledger l) {
        try {
            if (l.size() == 0) return null;
            LedgerEntry e = l.readEntry(0);
            return EntryKinds.RUN.equals(e.kind()) ? e.body() : null;
        } catch (RuntimeException e) {
            return null; // a corrupt genesis is the audit's finding, not a reason to lose the report
        }
    }

    /** As {@link #of(Ledger)}, opening {@code db} read-only. */
    public static JsonNode of(Path db) {
        try (Ledger l = Ledger.openReadOnly(db)) {
            return of(l);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
