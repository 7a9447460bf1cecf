package org.trainproof.crypto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.trainproof.bytes.Digest;
import org.trainproof.bytes.Hex;

/**
 * A named Ed25519 signing key (the name is the C2SP signed-note key name). Constructed only from a
 * seed, so the public key is always the one the seed derives. Never prints the seed.
 */
public final class SigningKey {
    /** C2SP signed-note signature type for Ed25519. */
    public static final byte TYPE_ED25519 = 0x01;

    private final String name;
    private final byte[] seed;
    private final Ed25519PrivateKeyParameters priv;
    private final byte[] publicKey;
    private final int keyId;

    private SigningKey(String name, byte[] seed) {
        checkName(name);
        if (seed.length != 32) throw new IllegalArgumentException("an Ed25519 seed has 32 bytes");
        this.name = name;
        this.seed = seed.clone();
        this.priv = new Ed25519PrivateKeyParameters(this.seed, 0);
        this.publicKey = priv.generatePublicKey().getEncoded();
        this.keyId = keyId(name, TYPE_ED25519, publicKey);
    }

    public static SigningKey fromSeed(String name, byte[] seed) {
        return new SigningKey(name, seed);
    }

    public static SigningKey generate(String name, SecureRandom random) {
        byte[] seed = new byte[32];
        random.nextBytes(seed);
        return new SigningKey(name, seed);
    }

    /** Parses the Go x/mod private key form {@code PRIVATE+KEY+<name>+<hex id>+base64(0x01 || seed)}. */
    public static SigningKey fromGoSkey(String skey) {
        String[] p = skey.split("\\+", 5);
        if (p.length != 5 || !p[0].equals("PRIVATE") || !p[1].equals("KEY")) {
            throw new IllegalArgumentException("not a PRIVATE+KEY string");
        }
        byte[] k = Base64.getDecoder().decode(p[4]);
        if (k.length != 33 || k[0] != TYPE_ED25519) throw new IllegalArgumentException("not an Ed25519 private key");
        SigningKey key = new SigningKey(p[2], Arrays.copyOfRange(k, 1, 33));
        if (!p[3].equals(String.format("%08x", key.keyId))) throw new IllegalArgumentException("key ID mismatch");
        return key;
    }

    /** A key name is non-empty, without Unicode spaces and without '+' (C2SP signed-note). */
    public static void checkName(String name) {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("key name is empty");
        for (int i = 0; i < name.length(); ) {
            int cp = name.codePointAt(i);
            if (cp == '+' || Character.isWhitespace(cp) || Character.isSpaceChar(cp) || Character.isISOControl(cp)) {
                throw new IllegalArgumentException("key name must not contain '+', spaces or control characters: " + name);
            }
            i += Character.charCount(cp);
        }
    }

    /** C2SP key ID: the first 4 bytes of SHA-256(name || 0x0A || type || key), big-endian. */
    public static int keyId(String name, byte type, byte[] key) {
        MessageDigest md = Digest.newSha256();
        md.update(name.getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0x0A);
        md.update(type);
        md.update(key);
        byte[] h = md.digest();
        return ((h[0] & 0xff) << 24) | ((h[1] & 0xff) << 16) | ((h[2] & 0xff) << 8) | (h[3] & 0xff);
    }

    public String name() {
        return name;
    }

    public int keyId() {
        return keyId;
    }

    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** The C2SP verifier key string {@code name+<hex id>+base64(0x01 || public key)}. */
    public String verifierKey() {
        byte[] k = new byte[33];
        k[0] = TYPE_ED25519;
        System.arraycopy(publicKey, 0, k, 1, 32);
        return name + "+" + String.format("%08x", keyId) + "+" + Base64.getEncoder().encodeToString(k);
    }

    /** Pure Ed25519 signature over {@code msg} (callers pass domain-separated bytes: signed-note text). */
    public byte[] sign(byte[] msg) {
        Ed25519Signer s = new Ed25519Signer();
        s.init(true, priv);
        s.update(msg, 0, msg.length);
        return s.generateSignature();
    }

    /** The raw 32-byte seed; only {@link KeyFiles} needs it. */
    byte[] seed() {
        return seed.clone();
    }

    @Override
    public String toString() {
        return "SigningKey[" + name + "+" + Hex.encode(new byte[] {
            (byte) (keyId >>> 24), (byte) (keyId >>> 16), (byte) (keyId >>> 8), (byte) keyId}) + "]";
    }
}
