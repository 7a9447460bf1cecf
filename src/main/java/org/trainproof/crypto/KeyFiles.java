package org.trainproof.crypto;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.EncryptedPrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.EncryptionScheme;
import org.bouncycastle.asn1.pkcs.KeyDerivationFunc;
import org.bouncycastle.asn1.pkcs.PBES2Parameters;
import org.bouncycastle.asn1.pkcs.PBKDF2Params;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.PBEParametersGenerator;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.generators.PKCS5S2ParametersGenerator;
import org.bouncycastle.crypto.modes.CBCBlockCipher;
import org.bouncycastle.crypto.paddings.PKCS7Padding;
import org.bouncycastle.crypto.paddings.PaddedBufferedBlockCipher;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.trainproof.TrainproofException;

/**
 * Key files. {@code PREFIX.key}: an Ed25519 private key as PKCS#8 PEM (RFC 5208/5958, RFC 8410),
 * optionally encrypted (PBES2: PBKDF2-HMAC-SHA256, AES-256-CBC), preceded by one explanatory line
 * {@code Key-Name: NAME} (RFC 7468 §2 allows text before the boundary), mode 0600.
 * {@code PREFIX.pub}: one line, the C2SP verifier key.
 */
public final class KeyFiles {
    /** PBKDF2 iterations for encrypted keys: OWASP 2023 recommends 600,000 for PBKDF2-HMAC-SHA256. */
    public static final int PBKDF2_ITERATIONS = 600_000;
    private static final byte[] PKCS8_ED25519_PREFIX = {
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20};
    private static final String NAME_PREFIX = "Key-Name: ";

    private KeyFiles() {}

    /** Writes {@code prefix.key} (0600, never overwriting) and {@code prefix.pub}. */
    public static void write(Path keyFile, Path pubFile, SigningKey key, char[] passphrase, SecureRandom random) {
        byte[] der = pkcs8(key);
        String label = "PRIVATE KEY";
        if (passphrase != null) {
            der = encrypt(der, passphrase, random);
            label = "ENCRYPTED PRIVATE KEY";
        }
        String pem = NAME_PREFIX + key.name() + "\n-----BEGIN " + label + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + label + "-----\n";
        if (Files.exists(pubFile)) throw TrainproofException.badInput(pubFile, "exists; refusing to overwrite");
        try {
            Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            throw TrainproofException.badInput(keyFile, "exists; refusing to overwrite");
        } catch (UnsupportedOperationException e) {
            throw TrainproofException.badInput(keyFile, "the file system has no POSIX permissions; cannot write a private key safely");
        } catch (IOException e) {
            throw TrainproofException.badInput(keyFile, "cannot create: " + e.getMessage());
        }
        try (OutputStream os = Files.newOutputStream(keyFile, StandardOpenOption.WRITE, StandardOpenOption.SYNC)) {
            os.write(pem.getBytes(StandardCharsets.US_ASCII));
            Files.writeString(pubFile, key.verifierKey() + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
        } catch (IOException e) {
            throw TrainproofException.badInput(keyFile, "cannot write: " + e.getMessage());
        }
    }

    /** Reads a private key file; {@code passphrase} is required for encrypted keys and ignored otherwise. */
    public static SigningKey readPrivate(Path keyFile, char[] passphrase) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(keyFile);
            for (PosixFilePermission p : perms) {
                if (p.name().startsWith("GROUP") || p.name().startsWith("OTHERS")) {
                    throw TrainproofException.badInput(keyFile, "private key file is accessible by group/others (mode "
                            + PosixFilePermissions.toString(perms) + "); run chmod 600 on it");
                }
            }
        } catch (NoSuchFileException e) {
            throw TrainproofException.badInput(keyFile, "no such key file");
        } catch (UnsupportedOperationException e) {
            // Non-POSIX file systems: nothing to check.
        } catch (IOException e) {
            throw TrainproofException.badInput(keyFile, "cannot read: " + e.getMessage());
        }
        String text;
        try {
            if (Files.size(keyFile) > 64 * 1024) throw TrainproofException.badInput(keyFile, "too large for a key file");
            text = strictText(keyFile, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw TrainproofException.badInput(keyFile, "cannot read: " + e.getMessage());
        }
        String name = null;
        String label = null;
        StringBuilder b64 = new StringBuilder();
        boolean inside = false;
        for (String line : text.split("\n", -1)) {
            String l = line.strip();
            if (!inside && l.startsWith(NAME_PREFIX)) {
                name = l.substring(NAME_PREFIX.length());
            } else if (!inside && l.startsWith("-----BEGIN ") && l.endsWith("-----")) {
                label = l.substring(11, l.length() - 5);
                inside = true;
            } else if (inside && l.equals("-----END " + label + "-----")) {
                inside = false;
                break;
            } else if (inside) {
                b64.append(l);
            }
        }
        if (label == null || inside) throw TrainproofException.badInput(keyFile, "not a PEM private key file");
        if (name == null) throw TrainproofException.badInput(keyFile, "missing the 'Key-Name:' line before the PEM block");
        byte[] der;
        try {
            der = Base64.getDecoder().decode(b64.toString());
        } catch (IllegalArgumentException e) {
            throw TrainproofException.badInput(keyFile, "bad base64 in the PEM block");
        }
        if (label.equals("ENCRYPTED PRIVATE KEY")) {
            if (passphrase == null) throw TrainproofException.badInput(keyFile, "the key is encrypted; pass --passphrase-env VAR");
            der = decrypt(keyFile, der, passphrase);
        } else if (!label.equals("PRIVATE KEY")) {
            throw TrainproofException.badInput(keyFile, "PEM label '" + label + "' is not PRIVATE KEY");
        }
        byte[] seed;
        if (der.length == PKCS8_ED25519_PREFIX.length + 32
                && java.util.Arrays.equals(der, 0, PKCS8_ED25519_PREFIX.length, PKCS8_ED25519_PREFIX, 0, PKCS8_ED25519_PREFIX.length)) {
            // The form keygen writes (RFC 8410 §7: version 0, no attributes, no public key): its 16 bytes
            // fix the whole structure, so the seed is the last 32. No ASN.1 parser: BouncyCastle's took
            // ≈ 5 ms and 80 classes of a fresh record (docs/performance.md "Startup").
            seed = java.util.Arrays.copyOfRange(der, PKCS8_ED25519_PREFIX.length, der.length);
        } else {
            try {
                AsymmetricKeyParameter k = PrivateKeyFactory.createKey(der);
                if (!(k instanceof Ed25519PrivateKeyParameters ed)) {
                    throw TrainproofException.badInput(keyFile, "not an Ed25519 private key");
                }
                seed = ed.getEncoded();
            } catch (IOException | RuntimeException e) {
                if (e instanceof TrainproofException te) throw te;
                throw TrainproofException.badInput(keyFile, "not a PKCS#8 Ed25519 private key");
            }
        }
        try {
            return SigningKey.fromSeed(name, seed);
        } catch (IllegalArgumentException e) {
            throw TrainproofException.badInput(keyFile, e.getMessage());
        }
    }

    /**
     * The file's text; a byte that is not {@code cs} is bad input naming its offset (issue 20 item 11:
     * the decoder's own message was "Input length = 1").
     */
    private static String strictText(Path file, java.nio.charset.Charset cs) throws IOException {
        byte[] b = Files.readAllBytes(file);
        try {
            return cs.newDecoder().onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(b)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            int at = 0;
            var d = cs.newDecoder().onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
            java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(b);
            var r = d.decode(in, java.nio.CharBuffer.allocate(b.length + 1), true);
            if (r.isError()) at = in.position();
            throw TrainproofException.badInput(file, "not a text key file: byte " + at + " (0x"
                    + String.format("%02x", b[Math.min(at, b.length - 1)] & 0xff) + ") is not " + cs.name()
                    + "; give the PREFIX.key or PREFIX.pub that trainproof keygen wrote");
        }
    }

    /** Reads a {@code .pub} file: one line holding a C2SP verifier key; returns the line. */
    public static String readVerifierKeyLine(Path pubFile) {
        try {
            if (Files.size(pubFile) > 16 * 1024) throw TrainproofException.badInput(pubFile, "too large for a public key file");
            String s = strictText(pubFile, StandardCharsets.UTF_8).strip();
            if (s.isEmpty() || s.contains("\n")) throw TrainproofException.badInput(pubFile, "expected one line holding a verifier key");
            return s;
        } catch (NoSuchFileException e) {
            throw TrainproofException.badInput(pubFile, "no such public key file");
        } catch (IOException e) {
            throw TrainproofException.badInput(pubFile, "cannot read: " + e.getMessage());
        }
    }

    static byte[] pkcs8(SigningKey key) {
        byte[] out = new byte[PKCS8_ED25519_PREFIX.length + 32];
        System.arraycopy(PKCS8_ED25519_PREFIX, 0, out, 0, PKCS8_ED25519_PREFIX.length);
        System.arraycopy(key.seed(), 0, out, PKCS8_ED25519_PREFIX.length, 32);
        return out;
    }

    /** Iteration counts above this are refused when reading (a hostile file must not make us spin). */
    static final int MAX_ITERATIONS = 10_000_000;

    /** PKCS#8 EncryptedPrivateKeyInfo with PBES2 (RFC 8018): PBKDF2-HMAC-SHA256, AES-256-CBC. */
    private static byte[] encrypt(byte[] der, char[] passphrase, SecureRandom random) {
        byte[] salt = new byte[16];
        byte[] iv = new byte[16];
        random.nextBytes(salt);
        random.nextBytes(iv);
        AlgorithmIdentifier prf = new AlgorithmIdentifier(PKCSObjectIdentifiers.id_hmacWithSHA256, DERNull.INSTANCE);
        PBKDF2Params kdf = new PBKDF2Params(salt, PBKDF2_ITERATIONS, 32, prf);
        PBES2Parameters pbes2 = new PBES2Parameters(new KeyDerivationFunc(PKCSObjectIdentifiers.id_PBKDF2, kdf),
                new EncryptionScheme(NISTObjectIdentifiers.id_aes256_CBC, new DEROctetString(iv)));
        byte[] ct = aes(true, derive(passphrase, salt, PBKDF2_ITERATIONS, prf), iv, der);
        try {
            return new EncryptedPrivateKeyInfo(new AlgorithmIdentifier(PKCSObjectIdentifiers.id_PBES2, pbes2), ct).getEncoded();
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode the encrypted key", e);
        }
    }

    private static byte[] decrypt(Path keyFile, byte[] der, char[] passphrase) {
        EncryptedPrivateKeyInfo epki;
        PBES2Parameters pbes2;
        PBKDF2Params kdf;
        byte[] iv;
        try {
            epki = EncryptedPrivateKeyInfo.getInstance(der);
            AlgorithmIdentifier alg = epki.getEncryptionAlgorithm();
            if (!PKCSObjectIdentifiers.id_PBES2.equals(alg.getAlgorithm())) {
                throw TrainproofException.badInput(keyFile, "encrypted key does not use PBES2 (" + alg.getAlgorithm() + ")");
            }
            pbes2 = PBES2Parameters.getInstance(alg.getParameters());
            if (!PKCSObjectIdentifiers.id_PBKDF2.equals(pbes2.getKeyDerivationFunc().getAlgorithm())) {
                throw TrainproofException.badInput(keyFile, "encrypted key does not use PBKDF2");
            }
            kdf = PBKDF2Params.getInstance(pbes2.getKeyDerivationFunc().getParameters());
            if (!NISTObjectIdentifiers.id_aes256_CBC.equals(pbes2.getEncryptionScheme().getAlgorithm())) {
                throw TrainproofException.badInput(keyFile, "encrypted key does not use AES-256-CBC");
            }
            iv = ASN1OctetString.getInstance(pbes2.getEncryptionScheme().getParameters()).getOctets();
        } catch (IllegalArgumentException | ClassCastException e) {
            throw TrainproofException.badInput(keyFile, "not a PKCS#8 encrypted private key");
        }
        BigInteger iter = kdf.getIterationCount();
        if (iter.signum() <= 0 || iter.compareTo(BigInteger.valueOf(MAX_ITERATIONS)) > 0) {
            throw TrainproofException.badInput(keyFile, "PBKDF2 iteration count " + iter + " outside 1.." + MAX_ITERATIONS);
        }
        AlgorithmIdentifier prf = kdf.isDefaultPrf() ? null : kdf.getPrf();
        if (prf == null || !PKCSObjectIdentifiers.id_hmacWithSHA256.equals(prf.getAlgorithm())) {
            throw TrainproofException.badInput(keyFile, "encrypted key's PBKDF2 does not use HMAC-SHA256");
        }
        if (iv.length != 16) throw TrainproofException.badInput(keyFile, "AES-CBC IV is not 16 bytes");
        try {
            return aes(false, derive(passphrase, kdf.getSalt(), iter.intValue(), prf), iv, epki.getEncryptedData());
        } catch (IllegalStateException e) {
            throw TrainproofException.badInput(keyFile, "wrong passphrase (or corrupted key file)");
        }
    }

    private static byte[] derive(char[] passphrase, byte[] salt, int iterations, AlgorithmIdentifier prf) {
        PKCS5S2ParametersGenerator g = new PKCS5S2ParametersGenerator(new SHA256Digest());
        g.init(PBEParametersGenerator.PKCS5PasswordToUTF8Bytes(passphrase), salt, iterations);
        return ((KeyParameter) g.generateDerivedParameters(256)).getKey();
    }

    /** AES-256-CBC with PKCS#7 padding; a padding failure (wrong key) is an IllegalStateException. */
    private static byte[] aes(boolean encrypt, byte[] key, byte[] iv, byte[] in) {
        PaddedBufferedBlockCipher c = new PaddedBufferedBlockCipher(CBCBlockCipher.newInstance(AESEngine.newInstance()), new PKCS7Padding());
        c.init(encrypt, new ParametersWithIV(new KeyParameter(key), iv));
        byte[] out = new byte[c.getOutputSize(in.length)];
        int n = c.processBytes(in, 0, in.length, out, 0);
        try {
            n += c.doFinal(out, n);
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException("bad padding", e);
        }
        return java.util.Arrays.copyOf(out, n);
    }
}
