package org.trainproof.ledger;

/** Stable finding codes of the ledger integrity audit. Tests assert on these. */
public final class LedgerFindings {
    /** SQLite reports the file damaged (truncated, overwritten pages). */
    public static final String DATABASE_CORRUPT = "DATABASE_CORRUPT";
    /** Entry rows are not 0, 1, 2, ... (a row deleted or renumbered). */
    public static final String ENTRY_SEQ_GAP = "ENTRY_SEQ_GAP";
    /** The seq inside an entry differs from its row position. */
    public static final String ENTRY_SEQ_MISMATCH = "ENTRY_SEQ_MISMATCH";
    /** Entry bytes are not a well-formed entry object. */
    public static final String ENTRY_MALFORMED = "ENTRY_MALFORMED";
    /** Entry bytes parse but are not RFC 8785 canonical. */
    public static final String ENTRY_NOT_CANONICAL = "ENTRY_NOT_CANONICAL";
    /** An entry's prev is not the previous entry's leaf hash. */
    public static final String ENTRY_CHAIN_BROKEN = "ENTRY_CHAIN_BROKEN";
    /** The stored leaf_hash column differs from SHA-256(0x00 || bytes). */
    public static final String ENTRY_LEAF_HASH_MISMATCH = "ENTRY_LEAF_HASH_MISMATCH";
    /** The stored kind/step columns differ from the entry bytes. */
    public static final String ENTRY_COLUMN_MISMATCH = "ENTRY_COLUMN_MISMATCH";
    /** Entry 0 is not the genesis 'run' entry, or a 'run' entry appears later. */
    public static final String GENESIS_INVALID = "GENESIS_INVALID";
    /** An entry follows the 'end' entry. */
    public static final String ENTRY_AFTER_END = "ENTRY_AFTER_END";
    /** A stored node hash differs from the one recomputed from the entries. */
    public static final String NODE_HASH_MISMATCH = "NODE_HASH_MISMATCH";
    /** A stored node hash row is missing. */
    public static final String NODE_MISSING = "NODE_MISSING";
    /** A stored node hash row exists that the tree does not have. */
    public static final String NODE_EXTRA = "NODE_EXTRA";
    /** A checkpoint carries a signature by the key that does not verify. */
    public static final String CHECKPOINT_BAD_SIGNATURE = "CHECKPOINT_BAD_SIGNATURE";
    /** A checkpoint carries no signature by the key (e.g. signed by another key). */
    public static final String CHECKPOINT_UNKNOWN_KEY = "CHECKPOINT_UNKNOWN_KEY";
    /** A checkpoint note or body is malformed. */
    public static final String CHECKPOINT_MALFORMED = "CHECKPOINT_MALFORMED";
    /** A checkpoint names another origin than the ledger's. */
    public static final String CHECKPOINT_ORIGIN_MISMATCH = "CHECKPOINT_ORIGIN_MISMATCH";
    /** A checkpoint's root differs from the root recomputed from the entries at its size. */
    public static final String CHECKPOINT_ROOT_MISMATCH = "CHECKPOINT_ROOT_MISMATCH";
    /** A checkpoint row's size column differs from its signed size. */
    public static final String CHECKPOINT_SIZE_MISMATCH = "CHECKPOINT_SIZE_MISMATCH";
    /** A signed checkpoint covers more entries than the ledger holds (entries removed at the end). */
    public static final String CHECKPOINT_BEYOND_LEDGER = "CHECKPOINT_BEYOND_LEDGER";
    /** No checkpoint of the ledger verifies. */
    public static final String NO_VALID_CHECKPOINT = "NO_VALID_CHECKPOINT";
    /** Entries after the newest valid signed checkpoint (not covered by any signature). */
    public static final String ENTRIES_NOT_SIGNED = "ENTRIES_NOT_SIGNED";
    /** The ledger's stored verifier key differs from the key the auditor gave. */
    public static final String LEDGER_KEY_MISMATCH = "LEDGER_KEY_MISMATCH";
    /** No --key given: checked against the key stored in the ledger itself (self-consistency only). */
    public static final String KEY_FROM_LEDGER = "KEY_FROM_LEDGER";
    /** The ledger is smaller than a checkpoint the auditor saved earlier. */
    public static final String LEDGER_ROLLED_BACK = "LEDGER_ROLLED_BACK";
    /** The ledger's tree is not an extension of a checkpoint the auditor saved earlier. */
    public static final String LEDGER_FORKED = "LEDGER_FORKED";
    /** A file named by a checkpoint entry is not in the artifacts directory. */
    public static final String ARTIFACT_MISSING = "ARTIFACT_MISSING";
    /** A file on disk has another size than its checkpoint entry states. */
    public static final String ARTIFACT_SIZE_MISMATCH = "ARTIFACT_SIZE_MISMATCH";
    /** A file on disk has another SHA-256 than its checkpoint entry states. */
    public static final String ARTIFACT_DIGEST_MISMATCH = "ARTIFACT_DIGEST_MISMATCH";
    /**
     * A training-log file's recorded history was altered: bytes of an appended log that were already
     * recorded changed, or a record the ledger holds for a rewritten file (trainer_state.json) is
     * changed, missing, or was inserted before the last recorded step.
     */
    public static final String LOG_HISTORY_REWRITTEN = "LOG_HISTORY_REWRITTEN";
    /** Two metrics entries of one log source record the same bytes (overlapping byte ranges): records duplicated. */
    public static final String LOG_RANGE_OVERLAP = "LOG_RANGE_OVERLAP";
    /** More findings of one code than the report lists. */
    public static final String FINDINGS_TRUNCATED = "FINDINGS_TRUNCATED";

    private LedgerFindings() {}
}
