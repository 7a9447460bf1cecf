package org.trainproof.crypto;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;

/**
 * ECDSA P-256 / SHA-256 verification (C2SP signed-note type 0x02, used by Rekor and the Pixel log),
 * so that real third-party checkpoints can be checked. The JDK provider suffices.
 */
public final class EcdsaP256 {
    private EcdsaP256() {}

    /** Requires {@code spki} to be a DER SubjectPublicKeyInfo; {@code derSig} a DER ECDSA signature. */
    public static void verify(byte[] spki, byte[] msg, byte[] derSig) throws SignatureException {
        try {
            PublicKey pk = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(spki));
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initVerify(pk);
            s.update(msg);
            if (!s.verify(derSig)) throw new SignatureException("ECDSA signature does not verify");
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new SignatureException("ECDSA verification failed: " + e.getMessage());
        }
    }

    /** Throws unless {@code spki} parses as an EC public key. */
    public static void checkKey(byte[] spki) throws SignatureException {
        try {
            KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(spki));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new SignatureException("not an EC public key");
        }
    }
}
