package org.trainproof.trusted;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.trainproof.crypto.SigningKey;
import org.trainproof.note.VerifierKey;

/**
 * C2SP tlog-cosignature/v1 with an Ed25519 key: signs {@code "cosignature/v1\ntime <t>\n" ||
 * checkpoint text}; the note signature blob is key ID (type 0x04) || u64 timestamp || signature.
 */
public final class Cosigner {
    private final SigningKey key;
    private final int keyId;

    public Cosigner(SigningKey key) {
        this.key = key;
        this.keyId = SigningKey.keyId(key.name(), VerifierKey.TYPE_COSIGNATURE_V1, key.publicKey());
    }

    /** The witness's verifier key {@code name+id+base64(0x04 || key)}. */
    public String verifierKey() {
        byte[] k = new byte[33];
        k[0] = VerifierKey.TYPE_COSIGNATURE_V1;
        System.arraycopy(key.publicKey(), 0, k, 1, 32);
        return key.name() + "+" + String.format("%08x", keyId) + "+" + Base64.getEncoder().encodeToString(k);
    }

    /** The signature line {@code — name base64(blob)} over {@code checkpointText} (ends in a newline) at POSIX second {@code time} (> 0). */
    public String cosign(String checkpointText, long time) {
        if (time <= 0) throw new IllegalArgumentException("cosignature timestamp must be positive");
        byte[] msg = ("cosignature/v1\ntime " + time + "\n" + checkpointText).getBytes(StandardCharsets.UTF_8);
        byte[] sig = key.sign(msg);
        byte[] blob = ByteBuffer.allocate(4 + 8 + sig.length).putInt(keyId).putLong(time).put(sig).array();
        return "\u2014 " + key.name() + " " + Base64.getEncoder().encodeToString(blob);
    }
}
