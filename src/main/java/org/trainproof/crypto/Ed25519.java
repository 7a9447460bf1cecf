package org.trainproof.crypto;

import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/** Pure RFC 8032 Ed25519 verification (BouncyCastle lightweight API). */
public final class Ed25519 {
    public static final int PUBLIC_KEY_LENGTH = 32;
    public static final int SIGNATURE_LENGTH = 64;

    private Ed25519() {}

    /** Throws {@link SignatureException} unless {@code sig} is a valid signature of {@code msg} by {@code publicKey}. */
    public static void verify(byte[] publicKey, byte[] msg, byte[] sig) throws SignatureException {
        if (publicKey.length != PUBLIC_KEY_LENGTH) throw new SignatureException("Ed25519 public key is not 32 bytes");
        if (sig.length != SIGNATURE_LENGTH) throw new SignatureException("Ed25519 signature is not 64 bytes");
        Ed25519Signer v = new Ed25519Signer();
        try {
            v.init(false, new Ed25519PublicKeyParameters(publicKey, 0));
        } catch (IllegalArgumentException e) {
            throw new SignatureException("invalid Ed25519 public key");
        }
        v.update(msg, 0, msg.length);
        if (!v.verifySignature(sig)) throw new SignatureException("Ed25519 signature does not verify");
    }
}
