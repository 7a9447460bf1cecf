package org.trainproof.cli;

import java.nio.file.Path;
import org.trainproof.TrainproofException;
import org.trainproof.crypto.KeyFiles;
import org.trainproof.crypto.SigningKey;
import picocli.CommandLine.Option;

/** Shared options for commands that sign: the private key file and its passphrase variable. */
final class KeyOptions {
    @Option(names = "--key", required = true, paramLabel = "PREFIX.key", description = "The run's Ed25519 private key (from keygen).")
    Path keyFile;

    @Option(names = "--passphrase-env", paramLabel = "VAR", description = "Environment variable holding the key's passphrase.")
    String passphraseEnv;

    SigningKey load() {
        return KeyFiles.readPrivate(keyFile, passphrase(passphraseEnv));
    }

    static char[] passphrase(String env) {
        if (env == null) return null;
        String v = System.getenv(env);
        if (v == null) throw TrainproofException.usage("environment variable " + env + " (--passphrase-env) is not set");
        if (v.isEmpty()) throw TrainproofException.usage("environment variable " + env + " (--passphrase-env) is empty");
        return v.toCharArray();
    }
}
