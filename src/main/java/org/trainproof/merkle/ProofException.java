package org.trainproof.merkle;

/** A Merkle proof failed to verify: bad shape or a root mismatch. */
public final class ProofException extends Exception {
    private static final long serialVersionUID = 1L;

    public ProofException(String message) {
        super(message);
    }
}
