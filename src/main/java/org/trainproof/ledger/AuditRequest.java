package org.trainproof.ledger;

import java.nio.file.Path;
import org.trainproof.note.VerifierKey;

/**
 * What to audit against. {@code key}: the signer's verifier key the auditor trusts (null: the key
 * stored in the ledger, which only shows self-consistency). {@code savedCheckpoint}: a signed
 * checkpoint saved earlier (null: rollback cannot be detected). {@code artifactsDir}: where the
 * checkpoint files are (null: files not re-hashed).
 */
public record AuditRequest(VerifierKey key, byte[] savedCheckpoint, Path artifactsDir) {
    public AuditRequest {
        savedCheckpoint = savedCheckpoint == null ? null : savedCheckpoint.clone();
    }

    public static AuditRequest selfCheck() {
        return new AuditRequest(null, null, null);
    }

    @Override
    public byte[] savedCheckpoint() {
        return savedCheckpoint == null ? null : savedCheckpoint.clone();
    }
}
