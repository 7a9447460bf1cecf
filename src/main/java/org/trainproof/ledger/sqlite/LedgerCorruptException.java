package org.trainproof.ledger.sqlite;

import org.trainproof.ExitCode;
import org.trainproof.TrainproofException;

/** The ledger file is a SQLite database of ours but cannot be read: truncated or overwritten (exit 1). */
public final class LedgerCorruptException extends TrainproofException {
    private static final long serialVersionUID = 1L;

    public LedgerCorruptException(String message, Throwable cause) {
        super(ExitCode.INTEGRITY, message, cause);
    }
}
