package org.trainproof.cli;

import java.nio.file.Path;
import org.trainproof.TrainproofException;
import org.trainproof.crypto.KeyFiles;
import org.trainproof.note.VerifierKey;

/** Reads a .pub file into a verifier key, with a one-line error naming the file. */
final class CliKeys {
    private CliKeys() {}

    static VerifierKey readVerifierKey(Path pub) {
        String line = KeyFiles.readVerifierKeyLine(pub);
        try {
            return VerifierKey.parse(line);
        } catch (IllegalArgumentException e) {
            throw TrainproofException.badInput(pub, "not a C2SP verifier key: " + e.getMessage());
        }
    }
}
