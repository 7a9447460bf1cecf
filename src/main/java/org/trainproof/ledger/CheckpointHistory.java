package org.trainproof.ledger;

import java.util.function.Consumer;
import java.util.function.Supplier;
import org.trainproof.bytes.Digest;
import org.trainproof.ledger.sqlite.SqliteStore;
import org.trainproof.verdict.Finding;
import org.trainproof.verdict.Location;
import org.trainproof.verdict.Severity;

/**
 * The rows no signature covers, accounted for (issue 20): that every signed checkpoint the ledger
 * published is still stored, that checkpoint rows follow size order, and that the schema is the
 * format's.
 *
 * <p>Format 2: every entry but the genesis carries {@code after}, the newest signed checkpoint when its
 * transaction began. A transaction's first entry at position p must commit to a checkpoint of size p
 * with the root of the first p entries; the audit requires that checkpoint to be stored and valid
 * ({@link LedgerFindings#CHECKPOINT_MISSING} otherwise). Since each transaction writes one checkpoint
 * and the next transaction's entries commit to it under the next signature, deleting any checkpoint
 * row but the newest is detected here, and deleting the newest leaves entries unsigned
 * ({@link LedgerFindings#ENTRIES_NOT_SIGNED}). Format 1 ledgers have no {@code after}: a deleted
 * checkpoint row in the middle is not detectable, and the report says so.
 */
final class CheckpointHistory {
    private final int version;
    private final String file;
    private final Consumer<Finding> sink;
    private CheckpointRef current;

    CheckpointHistory(int version, String file, Consumer<Finding> sink) {
        this.version = version;
        this.file = file;
        this.sink = sink;
        if (version < 2) {
            sink.accept(Finding.of(LedgerFindings.LEDGER_FORMAT_1, Severity.INFO, "ledger format 1: entries do not commit to the"
                    + " checkpoint before them, so a deleted checkpoint row between the first and the newest is not detectable"
                    + " (format 2 ledgers, made by this version's init, detect it)").at(Location.file(file)));
        }
    }

    private void fail(String code, String msg, Location at) {
        sink.accept(Finding.of(code, Severity.FAIL, msg).at(at));
    }

    /**
     * One well-formed entry at tree position {@code pos}, before it is added to the tree. {@code newestSize}
     * / {@code newestRoot}: the newest valid signed checkpoint matched so far (size at most pos), or -1 /
     * null; {@code rootNow}: the root of the first pos entries (computed only when needed).
     */
    void entry(long pos, LedgerEntry e, long newestSize, Digest newestRoot, Supplier<Digest> rootNow) {
        Location at = Location.file(file).withEntry(pos);
        CheckpointRef a = e.after().orElse(null);
        if (a == null) {
            if (pos > 0 && version >= 2) fail(LedgerFindings.ENTRY_AFTER_INVALID, "format 2 entry without 'after'", at);
            return;
        }
        if (version < 2) {
            fail(LedgerFindings.SCHEMA_MISMATCH, "entry carries 'after' (format 2) in a ledger marked format 1", at);
        }
        if (pos == 0) {
            fail(LedgerFindings.ENTRY_AFTER_INVALID, "the genesis entry carries 'after'", at);
            return;
        }
        if (a.equals(current)) return; // the same transaction as the entry before
        current = a;
        if (a.size() != pos) {
            fail(LedgerFindings.ENTRY_AFTER_INVALID, "entry commits to a checkpoint of size " + a.size()
                    + ", but a transaction starting at entry " + pos + " follows a checkpoint of size " + pos, at);
            return;
        }
        if (newestSize == pos && a.root().equals(newestRoot)) return;
        Digest root = rootNow.get();
        if (!a.root().equals(root)) {
            sink.accept(Finding.of(LedgerFindings.ENTRY_AFTER_INVALID, Severity.FAIL, "entry commits to a root of size " + pos
                    + " that the entries do not give").at(at).withMismatch(root, a.root()));
        } else {
            fail(LedgerFindings.CHECKPOINT_MISSING, "entry " + pos + " was appended after a signed checkpoint of size " + pos
                    + " that is no longer stored (or no longer verifies): a checkpoint row was deleted", at);
        }
    }

    /** Checkpoint rows in id order must have strictly increasing sizes; the schema must be the format's. */
    void finish(SqliteStore store) {
        try (SqliteStore.Cursor<long[]> rows = store.checkpointSizesById()) {
            long[] prev = null;
            long[] r;
            while ((r = rows.next()) != null) {
                if (prev != null && r[1] <= prev[1]) {
                    fail(LedgerFindings.CHECKPOINT_ORDER, "checkpoint row " + r[0] + " (size " + r[1] + ") follows row " + prev[0]
                            + " (size " + prev[1] + "): rows are not in strictly increasing size order (swapped, duplicated or"
                            + " inserted)", Location.file(file));
                }
                prev = r;
            }
        }
        for (String d : store.schemaDifferences()) {
            fail(LedgerFindings.SCHEMA_MISMATCH, "schema: " + d, Location.file(file));
        }
    }
}
