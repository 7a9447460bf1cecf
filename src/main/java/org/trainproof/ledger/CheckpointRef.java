package org.trainproof.ledger;

import java.util.Objects;
import org.trainproof.bytes.Digest;

/**
 * An entry's {@code after} field (ledger format 2): the signed checkpoint (tree size and root) that
 * was the ledger's newest when the entry's transaction began. Every transaction thus commits, under
 * the next signature, to the checkpoint before it, so a deleted, reordered or duplicated checkpoint
 * row is detectable (docs/security.md).
 */
public record CheckpointRef(long size, Digest root) {
    public CheckpointRef {
        if (size < 0) throw new IllegalArgumentException("size must be >= 0");
        Objects.requireNonNull(root, "root");
    }
}
