package org.trainproof.ledger;

import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.trainproof.note.VerifierKey;

/**
 * What to audit against. {@code key}: the signer's verifier key the auditor trusts (null: the key
 * stored in the ledger, which only shows self-consistency). {@code savedCheckpoint}: a signed
 * checkpoint saved earlier (null: rollback cannot be detected). {@code artifactsDir}: where the
 * checkpoint files are (null: files not re-hashed). {@code progress}: called with the number of
 * entries checked so far, every {@link #PROGRESS_EVERY} entries (null: silent). {@code artifactBytes}:
 * called from worker threads with the tensor bytes re-hashed under {@code artifactsDir} (null: silent).
 * {@code entries}: given every entry the audit decoded, in seq order, on the audit's thread, so a
 * caller can build what it needs from the same pass (verify's analysis input; null: none). It must
 * not modify them and must not throw; an entry whose bytes did not decode is not given, and what it
 * built is only meaningful when the audit is clean.
 */
public record AuditRequest(VerifierKey key, byte[] savedCheckpoint, Path artifactsDir, LongConsumer progress,
        LongConsumer artifactBytes, Consumer<LedgerEntry> entries) {
    public static final long PROGRESS_EVERY = 100_000;

    public AuditRequest {
        savedCheckpoint = savedCheckpoint == null ? null : savedCheckpoint.clone();
    }

    public AuditRequest(VerifierKey key, byte[] savedCheckpoint, Path artifactsDir) {
        this(key, savedCheckpoint, artifactsDir, null, null, null);
    }

    public AuditRequest(VerifierKey key, byte[] savedCheckpoint, Path artifactsDir, LongConsumer progress) {
        this(key, savedCheckpoint, artifactsDir, progress, null, null);
    }

    public AuditRequest(VerifierKey key, byte[] savedCheckpoint, Path artifactsDir, LongConsumer progress, LongConsumer artifactBytes) {
        this(key, savedCheckpoint, artifactsDir, progress, artifactBytes, null);
    }

    public static AuditRequest selfCheck() {
        return new AuditRequest(null, null, null);
    }

    @Override
    public byte[] savedCheckpoint() {
        return savedCheckpoint == null ? null : savedCheckpoint.clone();
    }
}
