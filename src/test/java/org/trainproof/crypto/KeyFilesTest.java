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
