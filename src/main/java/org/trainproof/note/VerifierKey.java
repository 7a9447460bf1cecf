package org.trainproof.note;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import org.trainproof.bytes.Digest;
import org.trainproof.crypto.EcdsaP256;
import org.trainproof.crypto.Ed25519;
import org.trainproof.crypto.SignatureException;
import org.trainproof.crypto.SigningKey;

/**
 * A C2SP signed-note verifier key {@code <name>+<8 hex key ID>+base64(type || key)}. Supported
 * types: 0x01 Ed25519, 0x02 ECDSA P-256 (SPKI; key ID = SHA-256(SPKI)[:4]), 0x04 Ed25519
 * timestamped cosignature (C2SP tlog-cosignature). The key ID is recomputed and compared on parse.
 */
public final class VerifierKey {
    public static final byte TYPE_ED25519 = 0x01;
    public static final byte TYPE_ECDSA = 0x02;
    public static final byte TYPE_COSIGNATURE_V1 = 0x04;

    private final String name;
    private final int keyId;
    private final byte type;
    private final byte[] key;
    private final String text;

    private VerifierKey(String name, int keyId, byte type, byte[] key, String text) {
        this.name = name;
        this.keyId = keyId;
        this.type = type;
        this.key = key;
        this.text = text;
    }

    /** Parses and checks a verifier key; throws IllegalArgumentException with the rule broken. */
    public static VerifierKey parse(String vkey) {
        int a = vkey.indexOf('+');
        int b = a < 0 ? -1 : vkey.indexOf('+', a + 1);
        if (a < 0 || b < 0) throw new IllegalArgumentException("a verifier key has the form name+keyid+key");
        String name = vkey.substring(0, a);
        String idHex = vkey.substring(a + 1, b);
        SigningKey.checkName(name);
        if (!idHex.matches("[0-9a-f]{8}")) throw new IllegalArgumentException("key ID is not 8 lowercase hex digits");
        int id = (int) Long.parseLong(idHex, 16);
        byte[] k;
        try {
            k = Base64.getDecoder().decode(vkey.substring(b + 1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("key material is not base64");
        }
        if (k.length < 1) throw new IllegalArgumentException("missing key material");
        byte type = k[0];
        byte[] key = Arrays.copyOfRange(k, 1, k.length);
        int expected;
        switch (type) {
            case TYPE_ED25519, TYPE_COSIGNATURE_V1 -> {
                if (key.length != Ed25519.PUBLIC_KEY_LENGTH) throw new IllegalArgumentException("Ed25519 key is not 32 bytes");
                expected = SigningKey.keyId(name, type, key);
            }
            case TYPE_ECDSA -> {
                try {
                    EcdsaP256.checkKey(key);
                } catch (SignatureException e) {
                    throw new IllegalArgumentException(e.getMessage());
                }
                byte[] h = Digest.sha256(key).toByteArray();
                expected = ((h[0] & 0xff) << 24) | ((h[1] & 0xff) << 16) | ((h[2] & 0xff) << 8) | (h[3] & 0xff);
            }
            default -> throw new IllegalArgumentException("unknown signature type 0x" + String.format("%02x", type));
        }
        if (expected != id) throw new IllegalArgumentException("key ID does not match the key");
        return new VerifierKey(name, id, type, key, vkey);
    }

    public String name() {
        return name;
    }

    public int keyId() {
        return keyId;
    }

    public byte type() {
        return type;
    }

    public byte[] key() {
        return key.clone();
    }

    /** {@code name+hexid}, how findings and reports name a signer. */
    public String label() {
        return name + "+" + String.format("%08x", keyId);
    }

    /** Verifies the signature part of a signature blob (after the 4-byte key ID) over the note text. */
    void verify(byte[] text, byte[] sig) throws SignatureException {
        switch (type) {
            case TYPE_ED25519 -> Ed25519.verify(key, text, sig);
            case TYPE_ECDSA -> EcdsaP256.verify(key, text, sig);
            case TYPE_COSIGNATURE_V1 -> {
                if (sig.length != 8 + Ed25519.SIGNATURE_LENGTH) throw new SignatureException("cosignature is not 72 bytes");
                long ts = 0;
                for (int i = 0; i < 8; i++) ts = (ts << 8) | (sig[i] & 0xff);
                if (ts < 0) throw new SignatureException("cosignature timestamp >= 2^63");
                byte[] head = ("cosignature/v1\ntime " + ts + "\n").getBytes(StandardCharsets.UTF_8);
                byte[] msg = new byte[head.length + text.length];
                System.arraycopy(head, 0, msg, 0, head.length);
                System.arraycopy(text, 0, msg, head.length, text.length);
                Ed25519.verify(key, msg, Arrays.copyOfRange(sig, 8, sig.length));
            }
            default -> throw new SignatureException("unsupported type");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VerifierKey v && v.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
