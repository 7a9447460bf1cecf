package org.trainproof.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.ExitCode;
import org.trainproof.TrainproofException;

class KeyFilesTest {
    @TempDir
    Path dir;

    private final SecureRandom rnd = new SecureRandom();

    @Test
    void plainKey_roundTrips_withOwnerOnlyMode() throws Exception {
        SigningKey k = SigningKey.generate("example.com/lab", rnd);
        Path key = dir.resolve("k.key");
        Path pub = dir.resolve("k.pub");
        KeyFiles.write(key, pub, k, null, rnd);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        SigningKey back = KeyFiles.readPrivate(key, null);
        assertEquals(k.verifierKey(), back.verifierKey());
        assertEquals(k.verifierKey(), KeyFiles.readVerifierKeyLine(pub));
        byte[] msg = "m\n".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(k.sign(msg), back.sign(msg));
        assertTrue(Files.readString(key).contains("-----BEGIN PRIVATE KEY-----"));
    }

    @Test
    void encryptedKey_rightPassphraseWorks_wrongIsBadInput() {
        SigningKey k = SigningKey.generate("lab", rnd);
        Path key = dir.resolve("e.key");
        KeyFiles.write(key, dir.resolve("e.pub"), k, "correct horse".toCharArray(), rnd);
        assertEquals(k.verifierKey(), KeyFiles.readPrivate(key, "correct horse".toCharArray()).verifierKey());
        TrainproofException wrong = assertThrows(TrainproofException.class, () -> KeyFiles.readPrivate(key, "wrong".toCharArray()));
        assertEquals(ExitCode.BAD_INPUT, wrong.exitCode());
        TrainproofException none = assertThrows(TrainproofException.class, () -> KeyFiles.readPrivate(key, null));
        assertEquals(ExitCode.BAD_INPUT, none.exitCode());
    }

    @Test
    void groupReadableKey_refused() throws Exception {
        SigningKey k = SigningKey.generate("lab", rnd);
        Path key = dir.resolve("g.key");
        KeyFiles.write(key, dir.resolve("g.pub"), k, null, rnd);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r-----"));
        TrainproofException e = assertThrows(TrainproofException.class, () -> KeyFiles.readPrivate(key, null));
        assertEquals(ExitCode.BAD_INPUT, e.exitCode());
    }

    @Test
    void existingFiles_neverOverwritten() throws Exception {
        SigningKey k = SigningKey.generate("lab", rnd);
        Path key = dir.resolve("x.key");
        Files.writeString(key, "keep");
        assertThrows(TrainproofException.class, () -> KeyFiles.write(key, dir.resolve("x.pub"), k, null, rnd));
        assertEquals("keep", Files.readString(key));
    }

    /** A key file: the name line, then {@code der} as a PEM block, mode 0600. */
    private Path keyFile(String file, byte[] der) throws Exception {
        Path key = dir.resolve(file);
        String b64 = java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        Files.writeString(key, "Key-Name: lab\n-----BEGIN PRIVATE KEY-----\n" + b64 + "\n-----END PRIVATE KEY-----\n");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        return key;
    }

    /**
     * A key OpenSSL generated (the 48-byte RFC 8410 form that keygen also writes, read without an ASN.1
     * parser) gives the public key OpenSSL derives from it.
     */
    @Test
    void openSslKey_readAsOpenSslReadsIt() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "no /usr/bin/openssl");
        Path pem = dir.resolve("o.pem");
        Process g = new ProcessBuilder("/usr/bin/openssl", "genpkey", "-algorithm", "ed25519", "-outform", "DER", "-out", pem.toString())
                .redirectErrorStream(true).start();
        assertEquals(0, g.waitFor(), new String(g.getInputStream().readAllBytes()));
        byte[] der = Files.readAllBytes(pem);
        assertEquals(48, der.length);
        Process p = new ProcessBuilder("/usr/bin/openssl", "pkey", "-inform", "DER", "-in", pem.toString(), "-pubout", "-outform", "DER")
                .start();
        byte[] spki = p.getInputStream().readAllBytes();
        assertEquals(0, p.waitFor());
        SigningKey k = KeyFiles.readPrivate(keyFile("o.key", der), null);
        assertArrayEquals(java.util.Arrays.copyOfRange(spki, spki.length - 32, spki.length), k.publicKey());
    }

    /**
     * Other PKCS#8 encodings of an Ed25519 key (version 2 with the public key, as BouncyCastle writes it;
     * attributes) still go through the ASN.1 reader and give the same key.
     */
    @Test
    void otherPkcs8Forms_giveTheSameKey() throws Exception {
        SigningKey k = SigningKey.generate("lab", rnd);
        org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters params =
                new org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters(k.seed(), 0);
        byte[] v2 = org.bouncycastle.crypto.util.PrivateKeyInfoFactory.createPrivateKeyInfo(params).getEncoded();
        assertTrue(v2.length > 48, "version 2 carries the public key: " + v2.length);
        assertArrayEquals(k.publicKey(), KeyFiles.readPrivate(keyFile("v2.key", v2), null).publicKey());
        org.bouncycastle.asn1.ASN1EncodableVector attrs = new org.bouncycastle.asn1.ASN1EncodableVector();
        attrs.add(new org.bouncycastle.asn1.pkcs.Attribute(org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers.pkcs_9_at_friendlyName,
                new org.bouncycastle.asn1.DERSet(new org.bouncycastle.asn1.DERBMPString("lab"))));
        byte[] withAttrs = org.bouncycastle.crypto.util.PrivateKeyInfoFactory.createPrivateKeyInfo(params,
                new org.bouncycastle.asn1.DERSet(attrs)).getEncoded();
        assertArrayEquals(k.publicKey(), KeyFiles.readPrivate(keyFile("attrs.key", withAttrs), null).publicKey());
        // the fixed form with a byte of its prefix changed is not taken for a key
        byte[] bad = KeyFiles.pkcs8(k);
        bad[9] = 0x70; // the algorithm OID
        assertEquals(ExitCode.BAD_INPUT, assertThrows(TrainproofException.class, () -> KeyFiles.readPrivate(keyFile("bad.key", bad), null)).exitCode());
    }

    @Test
    void garbageKeyFile_isBadInput() throws Exception {
        Path key = dir.resolve("bad.key");
        Files.writeString(key, "Key-Name: lab\n-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        assertEquals(ExitCode.BAD_INPUT, assertThrows(TrainproofException.class, () -> KeyFiles.readPrivate(key, null)).exitCode());
    }

    @Test
    void signature_verifiesOnlyForItsMessage() throws Exception {
        SigningKey k = SigningKey.generate("lab", rnd);
        byte[] sig = k.sign("a".getBytes(StandardCharsets.UTF_8));
        Ed25519.verify(k.publicKey(), "a".getBytes(StandardCharsets.UTF_8), sig);
        assertThrows(SignatureException.class, () -> Ed25519.verify(k.publicKey(), "b".getBytes(StandardCharsets.UTF_8), sig));
    }
}
